using System.Globalization;
using Drover.Fleet.Bootstrap;
using Drover.Proxmox;
using Drover.Proxmox.Contracts;
using Drover.Proxmox.Snippets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Drover.Fleet.Proxmox;

/// <summary>
/// Carries out a <see cref="ProxmoxBootstrapPlan"/>, hosts in parallel: writes each host's user-data as a snippet,
/// clones the template (linked or full), sets the cloud-init drive (<c>cicustom user=</c> the snippet, <c>ipconfig0</c>
/// static or DHCP, DNS, search domain), tags, size and bridge, starts it, and finds its address (the static one, or
/// the guest agent's). A host that fails anywhere after its clone began has its VM and snippet destroyed again; the
/// other hosts go on.
/// </summary>
public sealed class ProxmoxFleetApplier(ProxmoxClient client, ISnippetStore snippets, ILogger? logger = null)
{
    private static readonly TimeSpan _cleanupTimeout = TimeSpan.FromMinutes(3);
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>How long one task (clone, start, delete) may take.</summary>
    public TimeSpan TaskTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>How long to wait for the guest agent to report an address (DHCP hosts); 0: do not wait.</summary>
    public TimeSpan AddressTimeout { get; init; } = TimeSpan.FromMinutes(10);

    public async Task<IReadOnlyList<ProxmoxHostResult>> ApplyAsync(ProxmoxBootstrapPlan plan, int parallelism = 8,
        IProgress<BootstrapProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var results = new ProxmoxHostResult[plan.Hosts.Count];
        var ids = new VmIds();
        await Parallel.ForEachAsync(Enumerable.Range(0, plan.Hosts.Count), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken },
            async (i, ct) => results[i] = await ApplyHostAsync(plan, plan.Hosts[i], ids, progress, ct));
        return results;
    }

    private async Task<ProxmoxHostResult> ApplyHostAsync(ProxmoxBootstrapPlan plan, ProxmoxHostPlan host, VmIds ids, IProgress<BootstrapProgress>? progress, CancellationToken ct)
    {
        var name = host.Host.Name;
        var result = new ProxmoxHostResult { Host = name, Change = host.Change, VmId = host.Existing?.VmId, Node = host.Existing?.Node ?? host.Node, Reasons = host.Reasons };
        try
        {
            switch (host.Change)
            {
                case HostChange.Keep or HostChange.Update:
                    var vm = host.Existing!;
                    return result with { Address = StaticAddress(host) ?? await AgentAddressOnceAsync(vm.Node ?? host.Node, vm.VmId!.Value, ct) };
                case HostChange.NeedsReplace:
                    // The file's address may not be the VM's any more: ask the VM.
                    var stale = host.Existing!;
                    return result with { Address = await AgentAddressOnceAsync(stale.Node ?? host.Node, stale.VmId!.Value, ct) };
                case HostChange.Replace:
                    var old = host.Existing!;
                    progress?.Report(new BootstrapProgress(name, $"destroying VM {old.VmId}"));
                    // If the old VM stays, a new one would be a second VM of this host: stop here instead.
                    await DestroyAsync(old.Node ?? host.Node, old.VmId!.Value, ct, throwOnFailure: true);
                    break;
            }
            var (vmid, address) = await CreateAsync(plan, host, ids, progress, ct);
            return result with { VmId = vmid, Node = host.Node, Address = address };
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Anything but the user's own cancellation is this host's failure; the other hosts go on.
            _logger.LogError("{Host}: {Error}", name, e.Message);
            return result with { Error = e.Message };
        }
    }

    private async Task<(int VmId, string? Address)> CreateAsync(ProxmoxBootstrapPlan plan, ProxmoxHostPlan host, VmIds ids, IProgress<BootstrapProgress>? progress, CancellationToken ct)
    {
        var name = host.Host.Name;
        var p = host.Host.Proxmox!;
        var ipconfig = IpConfigOf(host.Host.Network);
        var snippet = SnippetFile(plan.Fleet.Name, name);
        progress?.Report(new BootstrapProgress(name, $"writing user-data snippet {p.Snippets}:snippets/{snippet}"));
        var volume = await snippets.WriteAsync(host.Node, p.Snippets, snippet, host.UserData, ct);
        var clone = new CloneState();
        try
        {
            var vmid = await CloneAsync(host, ids, clone, progress, ct);
            var settings = new VmSettings
            {
                Tags = host.Tags,
                Cores = p.Cores,
                Memory = p.Memory,
                Description = $"drover fleet {plan.Fleet.Name}, host {name}",
                Devices = new Dictionary<string, string> { ["net0"] = $"virtio,bridge={p.Bridge}" },
                CloudInit = new CloudInitOptions
                {
                    Custom = new CloudInitCustom { User = volume },
                    IpConfigs = new Dictionary<int, IpConfig> { [0] = ipconfig },
                    Nameservers = host.Host.Network is { Dns.Count: > 0 } withDns ? withDns.Dns : null,
                    SearchDomain = host.Host.Domain,
                },
            };
            progress?.Report(new BootstrapProgress(name, $"configuring VM {vmid} (cloud-init: {ipconfig.Format()})"));
            await client.Qemu.SetConfigAsync(host.Node, vmid, new UpdateVmConfigRequest { Settings = settings }, ct);
            progress?.Report(new BootstrapProgress(name, $"starting VM {vmid}"));
            await client.Tasks.WaitAsync(await client.Qemu.StartAsync(host.Node, vmid, cancellationToken: ct), TaskTimeout, cancellationToken: ct);
            var address = StaticAddress(host) ?? await AgentAddressAsync(host.Node, vmid, name, progress, ct);
            return (vmid, address);
        }
        catch (Exception e)
        {
            try
            {
                if (clone.VmId is { } made)
                {
                    progress?.Report(new BootstrapProgress(name, $"failed ({e.Message}); destroying VM {made}"));
                    // A clone task still running holds the VM's lock: let it end first (its outcome does not matter).
                    if (clone.Running is { } running)
                    {
                        await EndTaskAsync(running);
                    }
                    await DestroyAsync(host.Node, made, CancellationToken.None);
                }
            }
            finally
            {
                await DeleteSnippetAsync(host.Node, p.Snippets, snippet);
            }
            throw;
        }
    }

    /// <summary>The VM a clone made (known as soon as Proxmox accepted the clone) and its task while it runs.</summary>
    private sealed class CloneState
    {
        public int? VmId { get; set; }
        public Upid? Running { get; set; }
    }

    /// <summary>VMIDs this run has asked for: <c>/cluster/nextid</c> reserves nothing, so two hosts could get the same one.</summary>
    private sealed class VmIds
    {
        private readonly HashSet<int> _used = [];
        private readonly Lock _gate = new();

        public bool TryClaim(int vmid)
        {
            lock (_gate)
            {
                return _used.Add(vmid);
            }
        }
    }

    /// <summary>
    /// Clones the template to the host's VMID, or to a free one no other host of this run took (a task or request that
    /// says the id exists after all is retried with the next one, twice).
    /// </summary>
    private async Task<int> CloneAsync(ProxmoxHostPlan host, VmIds ids, CloneState clone, IProgress<BootstrapProgress>? progress, CancellationToken ct)
    {
        var p = host.Host.Proxmox!;
        for (var attempt = 1; ; attempt++)
        {
            var vmid = p.VmId ?? await FreeIdAsync(ids, ct);
            progress?.Report(new BootstrapProgress(host.Host.Name, $"cloning template {host.Template.VmId} to VM {vmid} ({(p.FullClone ? "full" : "linked")})"));
            Upid upid;
            try
            {
                upid = await client.Qemu.CloneAsync(host.Template.Node ?? host.Node, host.Template.VmId!.Value, new CloneVmRequest
                {
                    NewId = vmid,
                    Name = host.Host.Name,
                    Full = p.FullClone,
                    Storage = p.FullClone ? p.Storage : null,
                    Target = host.Template.Node is { } templateNode && templateNode != host.Node ? host.Node : null,
                }, ct);
            }
            catch (ProxmoxApiException e) when (e.IsAlreadyExists && p.VmId is null && attempt < 3)
            {
                continue;
            }
            (clone.VmId, clone.Running) = (vmid, upid);
            try
            {
                await client.Tasks.WaitAsync(upid, TaskTimeout, cancellationToken: ct);
                clone.Running = null;
                return vmid;
            }
            catch (ProxmoxTaskFailedException e) when (e.ExitStatus.Contains("already exists", StringComparison.OrdinalIgnoreCase) && p.VmId is null && attempt < 3)
            {
                // Another client took the id between nextid and the clone: the VM is theirs, not ours.
                (clone.VmId, clone.Running) = (null, null);
            }
            catch (ProxmoxTaskFailedException)
            {
                clone.Running = null;
                throw;
            }
        }
    }

    /// <summary>The next id the cluster says is free that no host of this run has taken.</summary>
    private async Task<int> FreeIdAsync(VmIds ids, CancellationToken ct)
    {
        var candidate = await client.Cluster.NextIdAsync(cancellationToken: ct);
        for (var tries = 0; tries < 100; tries++, candidate++)
        {
            if (!ids.TryClaim(candidate))
            {
                continue;
            }
            try
            {
                return await client.Cluster.NextIdAsync(candidate, ct);
            }
            catch (ProxmoxApiException e) when (e.StatusCode == System.Net.HttpStatusCode.BadRequest)
            {
                // Taken meanwhile: try the next one.
            }
        }
        throw new TimeoutException("found no free VMID after 100 tries");
    }

    /// <summary>Waits (with its own time limit) for a task to end, whatever its outcome.</summary>
    private async Task EndTaskAsync(Upid upid)
    {
        using var cts = new CancellationTokenSource(_cleanupTimeout);
        try
        {
            await client.Tasks.WaitAsync(upid, _cleanupTimeout, cancellationToken: cts.Token);
        }
        catch (Exception e) when (e is ProxmoxApiException or ProxmoxTaskFailedException or ProxmoxTaskTimeoutException or HttpRequestException or TimeoutException or OperationCanceledException)
        {
            _logger.LogInformation("task {Upid} ended: {Error}", upid.Value, e.Message);
        }
    }

    /// <summary><c>ipconfig0</c>: the static address (IPv4 as <c>ip</c>/<c>gw</c>, IPv6 as <c>ip6</c>/<c>gw6</c>), else DHCP.</summary>
    internal static IpConfig IpConfigOf(Config.StaticNetworkSpec? network)
    {
        if (network is null)
        {
            return IpConfig.Dhcp;
        }
        return network.Address.Contains(':', StringComparison.Ordinal)
            ? new IpConfig { Ip6 = network.Address, Gateway6 = network.Gateway }
            : IpConfig.Static(network.Address, network.Gateway);
    }

    private static string? StaticAddress(ProxmoxHostPlan host)
        => host.Host.Network?.Address is { } address && !address.Contains(':', StringComparison.Ordinal) ? address.Split('/')[0] : null;

    private async Task<string?> AgentAddressOnceAsync(string node, int vmid, CancellationToken ct)
    {
        try
        {
            return Pick(await client.Qemu.GetNetworkInterfacesAsync(node, vmid, ct));
        }
        catch (ProxmoxApiException)
        {
            return null;
        }
    }

    /// <summary>Asks the guest agent every 2 s until it reports an IPv4 address other than loopback.</summary>
    private async Task<string?> AgentAddressAsync(string node, int vmid, string host, IProgress<BootstrapProgress>? progress, CancellationToken ct)
    {
        if (AddressTimeout <= TimeSpan.Zero)
        {
            return null;
        }
        progress?.Report(new BootstrapProgress(host, "waiting for the guest agent to report an address"));
        var time = client.Options.TimeProvider;
        var deadline = time.GetUtcNow() + AddressTimeout;
        while (true)
        {
            if (await AgentAddressOnceAsync(node, vmid, ct) is { } address)
            {
                return address;
            }
            if (time.GetUtcNow() >= deadline)
            {
                throw new TimeoutException($"VM {vmid}'s guest agent reported no IPv4 address within {AddressTimeout.TotalSeconds:0} s (is qemu-guest-agent in the image?)");
            }
            await Task.Delay(TimeSpan.FromSeconds(2), time, ct);
        }
    }

    private static string? Pick(IReadOnlyList<GuestNetworkInterface> interfaces)
        => interfaces.Where(i => i.Name != "lo")
            .SelectMany(i => i.IpAddresses)
            .Where(a => a.IpAddressType == "ipv4" && !a.IpAddress.StartsWith("127.", StringComparison.Ordinal))
            .Select(a => a.IpAddress)
            .FirstOrDefault();

    /// <summary>The snippet of a host: <c>drover-FLEET-HOST.yaml</c>, as a plain file name.</summary>
    public static string SnippetFile(string fleet, string host)
    {
        var safe = new string([.. fleet.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-')]);
        return $"drover-{safe}-{host}.yaml";
    }

    /// <summary>Stops and destroys a VM (purging it), with its own time limit when <paramref name="ct"/> cannot be used.</summary>
    public async Task DestroyAsync(string node, int vmid, CancellationToken ct, bool throwOnFailure = false)
    {
        using var own = new CancellationTokenSource(_cleanupTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, own.Token);
        var token = linked.Token;
        try
        {
            if (await client.Qemu.GetStatusAsync(node, vmid, token) is { } status)
            {
                if (status.Status == "running")
                {
                    await client.Tasks.WaitAsync(await client.Qemu.StopAsync(node, vmid, cancellationToken: token), _cleanupTimeout, cancellationToken: token);
                }
                await client.Tasks.WaitAsync(await client.Qemu.DeleteAsync(node, vmid, purge: true, destroyUnreferencedDisks: true, token), _cleanupTimeout, cancellationToken: token);
                _logger.LogInformation("destroyed VM {VmId}", vmid);
            }
        }
        catch (ProxmoxApiException e) when (e.IsNotFound)
        {
        }
        catch (Exception e) when (e is ProxmoxApiException or ProxmoxTaskFailedException or ProxmoxTaskTimeoutException or HttpRequestException or TimeoutException or OperationCanceledException)
        {
            _logger.LogError("could not destroy VM {VmId} on {Node}: {Error}; destroy it in Proxmox", vmid.ToString(CultureInfo.InvariantCulture), node, e.Message);
            if (throwOnFailure || (ct.IsCancellationRequested && !own.IsCancellationRequested))
            {
                throw;
            }
        }
    }

    private async Task DeleteSnippetAsync(string node, string storage, string file)
    {
        using var cts = new CancellationTokenSource(_cleanupTimeout);
        try
        {
            await snippets.DeleteAsync(node, storage, file, cts.Token);
        }
        catch (Exception e) when (e is SnippetException or HttpRequestException or TimeoutException or OperationCanceledException or Core.DroverException)
        {
            _logger.LogError("could not delete snippet {Storage}:snippets/{File}: {Error}", storage, file, e.Message);
        }
    }
}
