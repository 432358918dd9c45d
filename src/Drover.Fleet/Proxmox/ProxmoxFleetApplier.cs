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
        using var ids = new SemaphoreSlim(1, 1);
        await Parallel.ForEachAsync(Enumerable.Range(0, plan.Hosts.Count), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken },
            async (i, ct) => results[i] = await ApplyHostAsync(plan, plan.Hosts[i], ids, progress, ct));
        return results;
    }

    private async Task<ProxmoxHostResult> ApplyHostAsync(ProxmoxBootstrapPlan plan, ProxmoxHostPlan host, SemaphoreSlim ids, IProgress<BootstrapProgress>? progress, CancellationToken ct)
    {
        var name = host.Host.Name;
        var result = new ProxmoxHostResult { Host = name, Change = host.Change, VmId = host.Existing?.VmId, Node = host.Existing?.Node ?? host.Node, Reasons = host.Reasons };
        try
        {
            switch (host.Change)
            {
                case HostChange.Keep or HostChange.NeedsReplace or HostChange.Update:
                    var vm = host.Existing!;
                    return result with { Address = StaticAddress(host) ?? await AgentAddressOnceAsync(vm.Node ?? host.Node, vm.VmId!.Value, ct) };
                case HostChange.Replace:
                    var old = host.Existing!;
                    progress?.Report(new BootstrapProgress(name, $"destroying VM {old.VmId}"));
                    await DestroyAsync(old.Node ?? host.Node, old.VmId!.Value, ct);
                    break;
            }
            var (vmid, address) = await CreateAsync(plan, host, ids, progress, ct);
            return result with { VmId = vmid, Node = host.Node, Address = address };
        }
        catch (Exception e) when (e is ProxmoxApiException or ProxmoxTaskFailedException or ProxmoxTaskTimeoutException or SnippetException or HttpRequestException or TimeoutException or Core.DroverException)
        {
            _logger.LogError("{Host}: {Error}", name, e.Message);
            return result with { Error = e.Message };
        }
    }

    private async Task<(int VmId, string? Address)> CreateAsync(ProxmoxBootstrapPlan plan, ProxmoxHostPlan host, SemaphoreSlim ids, IProgress<BootstrapProgress>? progress, CancellationToken ct)
    {
        var name = host.Host.Name;
        var p = host.Host.Proxmox!;
        var snippet = SnippetFile(plan.Fleet.Name, name);
        progress?.Report(new BootstrapProgress(name, $"writing user-data snippet {p.Snippets}:snippets/{snippet}"));
        var volume = await snippets.WriteAsync(host.Node, p.Snippets, snippet, host.UserData, ct);
        int? vmid = null;
        try
        {
            vmid = await CloneAsync(host, ids, progress, ct);
            var ipconfig = host.Host.Network is { } net ? IpConfig.Static(net.Address, net.Gateway) : IpConfig.Dhcp;
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
            await client.Qemu.SetConfigAsync(host.Node, vmid.Value, new UpdateVmConfigRequest { Settings = settings }, ct);
            progress?.Report(new BootstrapProgress(name, $"starting VM {vmid}"));
            await client.Tasks.WaitAsync(await client.Qemu.StartAsync(host.Node, vmid.Value, cancellationToken: ct), TaskTimeout, cancellationToken: ct);
            var address = StaticAddress(host) ?? await AgentAddressAsync(host.Node, vmid.Value, name, progress, ct);
            return (vmid.Value, address);
        }
        catch (Exception e) when (e is not OperationCanceledException || ct.IsCancellationRequested)
        {
            if (vmid is { } made)
            {
                progress?.Report(new BootstrapProgress(name, $"failed ({e.Message}); destroying VM {made}"));
                await DestroyAsync(host.Node, made, CancellationToken.None);
            }
            await DeleteSnippetAsync(host.Node, p.Snippets, snippet);
            throw;
        }
    }

    /// <summary>Clones the template to the host's VMID (or the next free one, retried once if another run took it first).</summary>
    private async Task<int> CloneAsync(ProxmoxHostPlan host, SemaphoreSlim ids, IProgress<BootstrapProgress>? progress, CancellationToken ct)
    {
        var p = host.Host.Proxmox!;
        for (var attempt = 1; ; attempt++)
        {
            Upid upid;
            int vmid;
            // One id at a time: two hosts asking nextid at once would get the same one.
            await ids.WaitAsync(ct);
            try
            {
                vmid = p.VmId ?? await client.Cluster.NextIdAsync(cancellationToken: ct);
                progress?.Report(new BootstrapProgress(host.Host.Name, $"cloning template {host.Template.VmId} to VM {vmid} ({(p.FullClone ? "full" : "linked")})"));
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
            finally
            {
                ids.Release();
            }
            try
            {
                await client.Tasks.WaitAsync(upid, TaskTimeout, cancellationToken: ct);
            }
            catch (Exception e) when (e is ProxmoxTaskFailedException or ProxmoxTaskTimeoutException)
            {
                // A clone that failed half-way may have left a VM (Proxmox destroys most, not all): destroy it.
                await DestroyAsync(host.Node, vmid, CancellationToken.None);
                throw;
            }
            return vmid;
        }
    }

    private static string? StaticAddress(ProxmoxHostPlan host) => host.Host.Network?.Address.Split('/')[0];

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
    public async Task DestroyAsync(string node, int vmid, CancellationToken ct)
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
        catch (Exception e) when (e is ProxmoxApiException or ProxmoxTaskFailedException or ProxmoxTaskTimeoutException or HttpRequestException or OperationCanceledException)
        {
            _logger.LogError("could not destroy VM {VmId} on {Node}: {Error}; destroy it in Proxmox", vmid.ToString(CultureInfo.InvariantCulture), node, e.Message);
            if (ct.CanBeCanceled && !own.IsCancellationRequested && ct.IsCancellationRequested)
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
        catch (Exception e) when (e is SnippetException or HttpRequestException or OperationCanceledException or Core.DroverException)
        {
            _logger.LogError("could not delete snippet {Storage}:snippets/{File}: {Error}", storage, file, e.Message);
        }
    }
}
