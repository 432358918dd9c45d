using System.Security.Cryptography;
using System.Text;
using Drover.Fleet.Config;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Labels;

namespace Drover.Fleet.Bootstrap;

/// <summary>
/// Resolves a fleet against the cloud and decides, per host, create / keep / update / needs-replace. Read-only: the plan
/// makes no change. Every problem (an unknown server type, a missing or unavailable image, the wrong architecture, a
/// missing network) is collected and thrown together as a <see cref="FleetConfigException"/> naming file, line and field.
/// </summary>
public sealed class FleetPlanner
{
    /// <summary>The label holding a short hash of the user-data the server was created with.</summary>
    public const string UserDataLabel = "drover/user-data";

    /// <summary>The <c>drover/created-by</c> value of fleet servers and keys.</summary>
    public const string CreatedBy = "drover-bootstrap";

    private readonly HcloudClient _client;

    public FleetPlanner(HcloudClient client) => _client = client ?? throw new ArgumentNullException(nameof(client));

    /// <summary>Plans <paramref name="hosts"/> (all hosts when empty). <paramref name="replace"/> turns needs-replace into replace.</summary>
    public async Task<BootstrapPlan> PlanAsync(FleetFile fleet, IReadOnlyCollection<string>? hosts = null, bool replace = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        var before = _client.RequestCount;
        var diagnostics = new List<FleetDiagnostic>();
        var selected = SelectHosts(fleet, hosts, diagnostics);
        ThrowIf(diagnostics);

        // Everything that needs no API call first, so a bad file costs nothing.
        var userData = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var host in selected)
        {
            try
            {
                userData[host.Name] = HostUserData.Render(fleet, host).Content;
            }
            catch (FleetConfigException e)
            {
                diagnostics.AddRange(e.Diagnostics);
            }
        }
        var keySpecs = fleet.Defaults.SshKeys;
        var fingerprints = new List<string>();
        for (var i = 0; i < keySpecs.Count; i++)
        {
            var fingerprint = keySpecs[i].PublicKey is { } pk ? SshFingerprint.Md5(pk) : null;
            if (fingerprint is null)
            {
                Add(diagnostics, fleet, $"defaults.ssh_keys[{i}]", "is not an OpenSSH public key");
            }
            fingerprints.Add(fingerprint ?? "");
        }
        ThrowIf(diagnostics);

        var serverTypes = new Dictionary<string, ServerType>(StringComparer.Ordinal);
        await foreach (var type in _client.ServerTypes.ListAsync(cancellationToken: cancellationToken))
        {
            serverTypes[type.Name] = type;
        }
        var locations = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var location in _client.Locations.ListAsync(cancellationToken: cancellationToken))
        {
            locations.Add(location.Name);
        }

        var images = new Dictionary<(string Spec, string Arch), Image?>();
        var networks = new Dictionary<string, long?>(StringComparer.Ordinal);
        var firewalls = new Dictionary<string, long?>(StringComparer.Ordinal);
        var volumes = new Dictionary<string, long?>(StringComparer.Ordinal);
        var resolved = new List<(HostSpec Host, ServerType Type, Image Image, long[] Networks, long[] Firewalls, long[] Volumes)>();
        foreach (var host in selected)
        {
            var hostPath = $"hosts.{host.Name}";
            if (!serverTypes.TryGetValue(host.ServerType, out var type))
            {
                Add(diagnostics, fleet, $"{hostPath}.server_type", $"unknown server type '{host.ServerType}' (known: {string.Join(", ", serverTypes.Keys.Order(StringComparer.Ordinal))})", fallback: "defaults.server_type");
                continue;
            }
            if (!locations.Contains(host.Location))
            {
                Add(diagnostics, fleet, $"{hostPath}.location", $"unknown location '{host.Location}' (known: {string.Join(", ", locations.Order(StringComparer.Ordinal))})", fallback: "defaults.location");
                continue;
            }
            if (type.Locations.Count > 0 && !type.Locations.Any(l => l.Name == host.Location && l.Available))
            {
                Add(diagnostics, fleet, $"{hostPath}.server_type", $"server type '{type.Name}' is not offered in '{host.Location}'", fallback: "defaults.server_type");
                continue;
            }
            var image = await ResolveImageAsync(fleet, host, type, images, diagnostics, cancellationToken);
            var networkIds = await ResolveAllAsync(fleet, $"{hostPath}.networks", host.Networks, networks, "network",
                (n, ct) => Lookup(n, id => _client.Networks.GetAsync(id, ct), name => _client.Networks.GetByNameAsync(name, ct), x => x.Id), diagnostics, cancellationToken);
            var firewallIds = await ResolveAllAsync(fleet, $"{hostPath}.firewalls", host.Firewalls, firewalls, "firewall",
                (n, ct) => Lookup(n, id => _client.Firewalls.GetAsync(id, ct), name => _client.Firewalls.GetByNameAsync(name, ct), x => x.Id), diagnostics, cancellationToken);
            var volumeIds = await ResolveAllAsync(fleet, $"{hostPath}.volumes", host.Volumes, volumes, "volume",
                (n, ct) => Lookup(n, id => _client.Volumes.GetAsync(id, ct), name => _client.Volumes.GetByNameAsync(name, ct), x => x.Id), diagnostics, cancellationToken);
            if (image is not null && networkIds is not null && firewallIds is not null && volumeIds is not null)
            {
                resolved.Add((host, type, image, networkIds, firewallIds, volumeIds));
            }
        }
        ThrowIf(diagnostics);

        var keys = new List<SshKeyPlan>();
        for (var i = 0; i < keySpecs.Count; i++)
        {
            var existing = await _client.SshKeys.GetByFingerprintAsync(fingerprints[i], cancellationToken);
            keys.Add(new SshKeyPlan(keySpecs[i], fingerprints[i], existing));
        }

        var existingByHost = new Dictionary<string, Server>(StringComparer.Ordinal);
        var notInFile = new List<Server>();
        var selectedNames = selected.Select(h => h.Name).ToHashSet(StringComparer.Ordinal);
        var fleetSelector = LabelSelector.Parse($"{DroverLabels.Fleet}={fleet.Name}");
        await foreach (var server in _client.Servers.ListAsync(new ServerListOptions { LabelSelector = fleetSelector }, cancellationToken))
        {
            var hostName = server.Labels.GetValueOrDefault(DroverLabels.Host) ?? server.Name;
            if (selectedNames.Contains(hostName) && !existingByHost.ContainsKey(hostName))
            {
                existingByHost[hostName] = server;
            }
            else if (fleet.FindHost(hostName) is null)
            {
                notInFile.Add(server);
            }
        }

        var plans = new List<HostPlan>();
        foreach (var (host, type, image, networkIds, firewallIds, volumeIds) in resolved)
        {
            var labels = DesiredLabels(fleet, host, userData[host.Name]);
            existingByHost.TryGetValue(host.Name, out var existing);
            var (change, reasons) = Compare(existing, host, type, image, labels, replace);
            var drift = change == HostChange.Keep || change == HostChange.Update ? Attachments(existing!, host, networkIds, firewallIds, volumeIds) : null;
            if (drift is not null && (drift.Networks.Count + drift.Firewalls.Count + drift.Volumes.Count) > 0)
            {
                change = HostChange.Update;
                reasons = [.. reasons, .. drift.Reasons];
            }
            plans.Add(new HostPlan
            {
                Host = host,
                Change = change,
                Reasons = reasons,
                Image = image,
                ServerType = type,
                Existing = existing,
                UserData = userData[host.Name],
                Labels = labels,
                NetworkIds = networkIds,
                FirewallIds = firewallIds,
                VolumeIds = volumeIds,
                LabelsDiffer = existing is not null && labels.Any(l => existing.Labels.GetValueOrDefault(l.Key) != l.Value),
                AttachNetworks = drift?.Networks ?? [],
                ApplyFirewalls = drift?.Firewalls ?? [],
                AttachVolumes = drift?.Volumes ?? [],
            });
        }
        return new BootstrapPlan
        {
            Fleet = fleet,
            Hosts = plans,
            SshKeys = keys,
            NotInFile = notInFile,
            Requests = _client.RequestCount - before,
        };
    }

    /// <summary>The labels a host's server carries: defaults and host labels, then Drover's own.</summary>
    public static IReadOnlyDictionary<string, string> DesiredLabels(FleetFile fleet, HostSpec host, string userData)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(userData);
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in host.Labels)
        {
            labels[k] = v;
        }
        if (host.Role is { } role && !labels.ContainsKey("role"))
        {
            labels["role"] = role;
        }
        labels[DroverLabels.CreatedBy] = CreatedBy;
        labels[DroverLabels.Fleet] = fleet.Name;
        labels[DroverLabels.Host] = host.Name;
        labels[UserDataLabel] = UserDataHash(userData);
        return labels;
    }

    /// <summary>The first 16 hex characters of the user-data's sha256: enough to notice a change.</summary>
    public static string UserDataHash(string userData) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(userData)))[..16];

    private sealed record AttachmentDrift(IReadOnlyList<long> Networks, IReadOnlyList<long> Firewalls, IReadOnlyList<long> Volumes, IReadOnlyList<string> Reasons);

    /// <summary>
    /// What the file attaches that the existing server lacks: networks, firewalls, volumes. Additive, like labels:
    /// attachments the file does not name (made by hand, or by a firewall's label selector) are left alone.
    /// </summary>
    private static AttachmentDrift Attachments(Server existing, HostSpec host, IReadOnlyList<long> networks, IReadOnlyList<long> firewalls, IReadOnlyList<long> volumes)
    {
        var reasons = new List<string>();
        List<long> Missing(string kind, IReadOnlyList<string> references, IReadOnlyList<long> wanted, IEnumerable<long> present, string verb)
        {
            var have = present.ToHashSet();
            var missing = new List<long>();
            for (var i = 0; i < wanted.Count; i++)
            {
                if (!have.Contains(wanted[i]) && !missing.Contains(wanted[i]))
                {
                    missing.Add(wanted[i]);
                    var reference = references[i];
                    reasons.Add(reference == wanted[i].ToString(System.Globalization.CultureInfo.InvariantCulture)
                        ? $"{verb} {kind} {wanted[i]}"
                        : $"{verb} {kind} {reference} ({wanted[i]})");
                }
            }
            return missing;
        }
        var n = Missing("network", host.Networks, networks, existing.PrivateNet.Select(p => p.Network), "attach");
        var f = Missing("firewall", host.Firewalls, firewalls, existing.PublicNet.Firewalls.Select(p => p.Id), "apply");
        var v = Missing("volume", host.Volumes, volumes, existing.Volumes, "attach");
        return new AttachmentDrift(n, f, v, reasons);
    }

    private static (HostChange, IReadOnlyList<string>) Compare(Server? existing, HostSpec host, ServerType type, Image image, IReadOnlyDictionary<string, string> labels, bool replace)
    {
        if (existing is null)
        {
            return (HostChange.Create, []);
        }
        var reasons = new List<string>();
        if (existing.Image?.Id != image.Id)
        {
            reasons.Add($"image {existing.Image?.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(deleted)"} → {image.Id}");
        }
        if (existing.ServerType.Name != type.Name)
        {
            reasons.Add($"server type {existing.ServerType.Name} → {type.Name}");
        }
        if (existing.Location.Name != host.Location)
        {
            reasons.Add($"location {existing.Location.Name} → {host.Location}");
        }
        if (existing.Labels.GetValueOrDefault(UserDataLabel) is { } hash && hash != labels[UserDataLabel])
        {
            reasons.Add("user-data changed (it only applies at first boot)");
        }
        if (reasons.Count > 0)
        {
            return (replace ? HostChange.Replace : HostChange.NeedsReplace, reasons);
        }
        var drift = labels.Where(l => existing.Labels.GetValueOrDefault(l.Key) != l.Value).Select(l => l.Key).ToList();
        if (drift.Count > 0)
        {
            return (HostChange.Update, [$"labels differ: {string.Join(", ", drift)}"]);
        }
        return (HostChange.Keep, []);
    }

    private async Task<Image?> ResolveImageAsync(FleetFile fleet, HostSpec host, ServerType type, Dictionary<(string, string), Image?> cache, List<FleetDiagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var spec = host.Image;
        var field = ImageField(spec);
        var hostField = spec.SourcePath.StartsWith("hosts.", StringComparison.Ordinal) ? field : $"hosts.{host.Name}.image";
        var arch = type.Architecture.Value;
        if (spec.Architecture is { } declared && declared != arch)
        {
            Add(diagnostics, fleet, hostField, $"image '{spec.Name}' is {declared} but server type {type.Name} is {arch}");
            return null;
        }
        var key = (spec.Name, arch);
        if (!cache.TryGetValue(key, out var image))
        {
            image = spec.Kind switch
            {
                ImageKind.Pinned => await _client.Images.GetAsync(spec.Id!.Value, cancellationToken),
                ImageKind.Named => await _client.Images.GetByNameAsync(spec.ImageName!, type.Architecture, cancellationToken),
                _ => await MostRecentAsync(spec.Selector!, type.Architecture, cancellationToken),
            };
            cache[key] = image;
        }
        var what = spec.Kind switch
        {
            ImageKind.Pinned => $"image {spec.Id}",
            ImageKind.Named => $"image '{spec.ImageName}' ({arch})",
            _ => $"no available {arch} image matches '{spec.Selector}'",
        };
        if (image is null)
        {
            Add(diagnostics, fleet, field, spec.Kind == ImageKind.Selector ? what : $"{what} does not exist");
            return null;
        }
        if (image.Status != ImageStatus.Available)
        {
            Add(diagnostics, fleet, field, $"{what} is {image.Status}, not available");
            return null;
        }
        if (image.Architecture != type.Architecture)
        {
            Add(diagnostics, fleet, hostField, $"{what} is {image.Architecture} but server type {type.Name} is {arch}");
            return null;
        }
        var missing = spec.ExpectLabels.Where(l => image.Labels.GetValueOrDefault(l.Key) != l.Value).Select(l => $"{l.Key}={l.Value}").ToList();
        if (missing.Count > 0)
        {
            Add(diagnostics, fleet, spec.SourcePath + ".labels", $"{what} lacks the expected label(s) {string.Join(", ", missing)}");
            return null;
        }
        return image;
    }

    private async Task<Image?> MostRecentAsync(string selector, Architecture architecture, CancellationToken cancellationToken)
    {
        var page = await _client.Images.ListPageAsync(new ImageListOptions
        {
            LabelSelector = LabelSelector.Parse(selector),
            Architecture = architecture,
            Status = [ImageStatus.Available],
            Sort = ["created:desc", "id:desc"],
        }, 1, 1, cancellationToken);
        return page.FirstOrDefault;
    }

    private static string ImageField(ImageSpec spec)
    {
        if (spec.SourcePath.StartsWith("hosts.", StringComparison.Ordinal))
        {
            return spec.SourcePath + (spec.Kind == ImageKind.Selector ? ".image_selector" : ".image");
        }
        return spec.SourcePath + spec.Kind switch
        {
            ImageKind.Pinned => ".id",
            ImageKind.Named => ".name",
            _ => ".selector",
        };
    }

    private static async Task<long?> Lookup<T>(string reference, Func<long, Task<T?>> byId, Func<string, Task<T?>> byName, Func<T, long> id)
        where T : class
    {
        var found = long.TryParse(reference, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? await byId(n)
            : await byName(reference);
        return found is null ? null : id(found);
    }

    private static async Task<long[]?> ResolveAllAsync(FleetFile fleet, string field, IReadOnlyList<string> references, Dictionary<string, long?> cache, string kind,
        Func<string, CancellationToken, Task<long?>> lookup, List<FleetDiagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var ids = new List<long>();
        var ok = true;
        for (var i = 0; i < references.Count; i++)
        {
            if (!cache.TryGetValue(references[i], out var id))
            {
                id = await lookup(references[i], cancellationToken);
                cache[references[i]] = id;
            }
            if (id is null)
            {
                Add(diagnostics, fleet, $"{field}[{i}]", $"{kind} '{references[i]}' does not exist");
                ok = false;
            }
            else
            {
                ids.Add(id.Value);
            }
        }
        return ok ? [.. ids] : null;
    }

    private static List<HostSpec> SelectHosts(FleetFile fleet, IReadOnlyCollection<string>? hosts, List<FleetDiagnostic> diagnostics)
    {
        if (hosts is null || hosts.Count == 0)
        {
            return [.. fleet.Hosts];
        }
        var selected = new List<HostSpec>();
        foreach (var name in hosts.Distinct(StringComparer.Ordinal))
        {
            if (fleet.FindHost(name) is { } host)
            {
                selected.Add(host);
            }
            else
            {
                diagnostics.Add(new FleetDiagnostic(fleet.Sources.Find("hosts"), "hosts", $"no host '{name}' in {fleet.Path} (hosts: {string.Join(", ", fleet.Hosts.Select(h => h.Name))})"));
            }
        }
        return selected;
    }

    private static void Add(List<FleetDiagnostic> diagnostics, FleetFile fleet, string field, string message, string? fallback = null)
    {
        var location = fleet.Sources.Find(field);
        if (fallback is not null && location == fleet.Sources.Find(field[..field.LastIndexOf('.')]))
        {
            // The host inherits the value: point at the default it came from.
            if (fleet.Sources.Find(fallback) is { } inherited && fallback != field)
            {
                diagnostics.Add(new FleetDiagnostic(inherited, field, message));
                return;
            }
        }
        diagnostics.Add(new FleetDiagnostic(location, field, message));
    }

    private static void ThrowIf(List<FleetDiagnostic> diagnostics)
    {
        if (diagnostics.Count > 0)
        {
            throw new FleetConfigException([.. diagnostics]);
        }
    }
}
