using Drover.Proxmox.Contracts;
using static Drover.Proxmox.Contracts.ProxmoxJsonContext;

namespace Drover.Proxmox;

/// <summary><c>/nodes</c>: the cluster's nodes.</summary>
public sealed class NodesClient
{
    private readonly ProxmoxClient _client;

    internal NodesClient(ProxmoxClient client) => _client = client;

    /// <summary><c>GET /nodes</c>.</summary>
    public Task<IReadOnlyList<NodeSummary>> ListAsync(CancellationToken cancellationToken = default)
        => _client.GetDataAsync(HttpMethod.Get, "nodes", null, Default.ProxmoxResponseIReadOnlyListNodeSummary, cancellationToken);

    /// <summary>One node by name, or null when the cluster has none of that name.</summary>
    public async Task<NodeSummary?> GetAsync(string node, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(node);
        return (await ListAsync(cancellationToken)).FirstOrDefault(n => n.Node == node);
    }
}
