using Drover.Proxmox.Contracts;
using static Drover.Proxmox.Contracts.ProxmoxJsonContext;

namespace Drover.Proxmox;

/// <summary><c>/cluster</c> and <c>/version</c>: free VMIDs, the resource index, the server version.</summary>
public sealed class ClusterClient
{
    private readonly ProxmoxClient _client;

    internal ClusterClient(ProxmoxClient client) => _client = client;

    /// <summary>
    /// <c>GET /cluster/nextid</c>: the next free VMID (a number or a numeric string on the wire). With
    /// <paramref name="vmid"/>, checks that id instead: a used one gives a 400 with <c>vmid: VM N already exists</c>
    /// (<see cref="ProxmoxApiException.IsAlreadyExists"/>).
    /// </summary>
    public Task<int> NextIdAsync(int? vmid = null, CancellationToken cancellationToken = default)
        => _client.GetDataAsync(HttpMethod.Get, "cluster/nextid", new FormParameters().Add("vmid", vmid), Default.ProxmoxResponseInt32, cancellationToken);

    /// <summary><c>GET /cluster/resources[?type=vm|storage|node|sdn]</c>.</summary>
    public async Task<IReadOnlyList<ClusterResource>> ListResourcesAsync(string? type = null, CancellationToken cancellationToken = default)
        => await _client.GetDataAsync(HttpMethod.Get, "cluster/resources", new FormParameters().Add("type", type), Default.ProxmoxResponseIReadOnlyListClusterResource, cancellationToken);

    /// <summary>All guests of the cluster (<c>type=vm</c>: qemu and lxc).</summary>
    public Task<IReadOnlyList<ClusterResource>> ListVmsAsync(CancellationToken cancellationToken = default)
        => ListResourcesAsync("vm", cancellationToken);

    /// <summary><c>GET /version</c>.</summary>
    public Task<ProxmoxVersion> GetVersionAsync(CancellationToken cancellationToken = default)
        => _client.GetDataAsync(HttpMethod.Get, "version", null, Default.ProxmoxResponseProxmoxVersion, cancellationToken);
}
