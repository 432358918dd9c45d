using System.Globalization;
using Drover.Fleet.Config;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;

namespace Drover.Fleet.Bootstrap;

/// <summary>
/// The first phase of a plan: checks what needs no API call (host selection, user-data, SSH keys), then resolves every
/// name the fleet file uses against the cloud (server types, locations, images, networks, firewalls, volumes, SSH keys).
/// Throws every problem at once, phase by phase, so a bad file costs no API call.
/// </summary>
internal sealed class FleetResolver(HcloudClient client, FleetFile fleet)
{
    private readonly PlanDiagnostics _diagnostics = new(fleet);
    private readonly Dictionary<string, long?> _networks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long?> _firewalls = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long?> _volumes = new(StringComparer.Ordinal);

    /// <summary>Resolves <paramref name="hosts"/> (all hosts when empty) and the fleet's SSH keys.</summary>
    public async Task<ResolvedFleet> ResolveAsync(IReadOnlyCollection<string>? hosts, CancellationToken cancellationToken)
    {
        var selected = SelectHosts(hosts);
        _diagnostics.ThrowIfAny();

        // Everything that needs no API call first, so a bad file costs nothing.
        var userData = RenderUserData(selected);
        var fingerprints = Fingerprints();
        _diagnostics.ThrowIfAny();

        var resolved = await ResolveHostsAsync(selected, userData, cancellationToken);
        _diagnostics.ThrowIfAny();

        var keys = await FindSshKeysAsync(fingerprints, cancellationToken);
        return new ResolvedFleet(resolved, keys);
    }

    private List<HostSpec> SelectHosts(IReadOnlyCollection<string>? hosts)
    {
        // Proxmox hosts (hosts.NAME.proxmox) are planned by Proxmox.ProxmoxFleetPlanner, not here.
        if (hosts is null || hosts.Count == 0)
        {
            return [.. fleet.Hosts.Where(h => h.Proxmox is null)];
        }
        var selected = new List<HostSpec>();
        foreach (var name in hosts.Distinct(StringComparer.Ordinal))
        {
            if (fleet.FindHost(name) is { } host)
            {
                if (host.Proxmox is null)
                {
                    selected.Add(host);
                }
            }
            else
            {
                _diagnostics.Add("hosts", $"no host '{name}' in {fleet.Path} (hosts: {string.Join(", ", fleet.Hosts.Select(h => h.Name))})");
            }
        }
        return selected;
    }

    private Dictionary<string, string> RenderUserData(List<HostSpec> selected)
    {
        var userData = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var host in selected)
        {
            try
            {
                userData[host.Name] = HostUserData.Render(fleet, host).Content;
            }
            catch (FleetConfigException e)
            {
                _diagnostics.AddRange(e.Diagnostics);
            }
        }
        return userData;
    }

    /// <summary>The MD5 fingerprint of each key of <c>defaults.ssh_keys</c> (the cloud finds keys by it).</summary>
    private List<string> Fingerprints()
    {
        var keySpecs = fleet.Defaults.SshKeys;
        var fingerprints = new List<string>();
        for (var i = 0; i < keySpecs.Count; i++)
        {
            var fingerprint = keySpecs[i].PublicKey is { } pk ? SshFingerprint.Md5(pk) : null;
            if (fingerprint is null)
            {
                _diagnostics.Add($"defaults.ssh_keys[{i}]", "is not an OpenSSH public key");
            }
            fingerprints.Add(fingerprint ?? "");
        }
        return fingerprints;
    }

    private async Task<List<ResolvedHost>> ResolveHostsAsync(List<HostSpec> selected, Dictionary<string, string> userData, CancellationToken cancellationToken)
    {
        var serverTypes = new Dictionary<string, ServerType>(StringComparer.Ordinal);
        await foreach (var type in client.ServerTypes.ListAsync(cancellationToken: cancellationToken))
        {
            serverTypes[type.Name] = type;
        }
        var locations = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var location in client.Locations.ListAsync(cancellationToken: cancellationToken))
        {
            locations.Add(location.Name);
        }
        var images = new ImageResolver(client, _diagnostics);
        var resolved = new List<ResolvedHost>();
        foreach (var host in selected)
        {
            if (await ResolveHostAsync(host, userData[host.Name], serverTypes, locations, images, cancellationToken) is { } r)
            {
                resolved.Add(r);
            }
        }
        return resolved;
    }

    /// <summary>One host: its server type offered in its location, then its image and attachments; null after a problem.</summary>
    private async Task<ResolvedHost?> ResolveHostAsync(HostSpec host, string userData, Dictionary<string, ServerType> serverTypes, HashSet<string> locations,
        ImageResolver images, CancellationToken cancellationToken)
    {
        var hostPath = $"hosts.{host.Name}";
        if (!serverTypes.TryGetValue(host.ServerType, out var type))
        {
            _diagnostics.Add($"{hostPath}.server_type", $"unknown server type '{host.ServerType}' (known: {string.Join(", ", serverTypes.Keys.Order(StringComparer.Ordinal))})", fallback: "defaults.server_type");
            return null;
        }
        if (!locations.Contains(host.Location))
        {
            _diagnostics.Add($"{hostPath}.location", $"unknown location '{host.Location}' (known: {string.Join(", ", locations.Order(StringComparer.Ordinal))})", fallback: "defaults.location");
            return null;
        }
        if (type.Locations.Count > 0 && !type.Locations.Any(l => l.Name == host.Location && l.Available))
        {
            _diagnostics.Add($"{hostPath}.server_type", $"server type '{type.Name}' is not offered in '{host.Location}'", fallback: "defaults.server_type");
            return null;
        }
        var image = await images.ResolveAsync(host, type, cancellationToken);
        var networkIds = await ResolveAllAsync($"{hostPath}.networks", host.Networks, _networks, "network",
            client.Networks.GetAsync, client.Networks.GetByNameAsync, n => n.Id, cancellationToken);
        var firewallIds = await ResolveAllAsync($"{hostPath}.firewalls", host.Firewalls, _firewalls, "firewall",
            client.Firewalls.GetAsync, client.Firewalls.GetByNameAsync, f => f.Id, cancellationToken);
        var volumeIds = await ResolveAllAsync($"{hostPath}.volumes", host.Volumes, _volumes, "volume",
            client.Volumes.GetAsync, client.Volumes.GetByNameAsync, v => v.Id, cancellationToken);
        return image is not null && networkIds is not null && firewallIds is not null && volumeIds is not null
            ? new ResolvedHost(host, userData, type, image, networkIds, firewallIds, volumeIds)
            : null;
    }

    /// <summary>
    /// The IDs of <paramref name="references"/> (each an ID or a name, looked up once per plan); null after reporting
    /// each one that does not exist.
    /// </summary>
    private async Task<long[]?> ResolveAllAsync<T>(string field, IReadOnlyList<string> references, Dictionary<string, long?> cache, string kind,
        Func<long, CancellationToken, Task<T?>> byId, Func<string, CancellationToken, Task<T?>> byName, Func<T, long> id, CancellationToken cancellationToken)
        where T : class
    {
        var ids = new List<long>();
        var ok = true;
        for (var i = 0; i < references.Count; i++)
        {
            var reference = references[i];
            if (!cache.TryGetValue(reference, out var found))
            {
                var resource = long.TryParse(reference, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                    ? await byId(n, cancellationToken)
                    : await byName(reference, cancellationToken);
                found = resource is null ? null : id(resource);
                cache[reference] = found;
            }
            if (found is null)
            {
                _diagnostics.Add($"{field}[{i}]", $"{kind} '{reference}' does not exist");
                ok = false;
            }
            else
            {
                ids.Add(found.Value);
            }
        }
        return ok ? [.. ids] : null;
    }

    /// <summary>Each key of the fleet as the project has it (matched by fingerprint), or null where it must be uploaded.</summary>
    private async Task<List<SshKeyPlan>> FindSshKeysAsync(List<string> fingerprints, CancellationToken cancellationToken)
    {
        var keySpecs = fleet.Defaults.SshKeys;
        var keys = new List<SshKeyPlan>();
        for (var i = 0; i < keySpecs.Count; i++)
        {
            var existing = await client.SshKeys.GetByFingerprintAsync(fingerprints[i], cancellationToken);
            keys.Add(new SshKeyPlan(keySpecs[i], fingerprints[i], existing));
        }
        return keys;
    }
}
