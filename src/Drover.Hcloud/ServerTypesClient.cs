using Drover.Hcloud.Contracts;
using static Drover.Hcloud.Contracts.HcloudJsonContext;

namespace Drover.Hcloud;

/// <summary><c>/server_types</c> (read-only).</summary>
public sealed class ServerTypesClient
{
    private readonly HcloudClient _client;

    internal ServerTypesClient(HcloudClient client) => _client = client;

    public async Task<ServerType?> GetAsync(long id, CancellationToken cancellationToken = default)
        => (await _client.GetOrNullAsync($"server_types/{id}", Default.ServerTypeResponse, cancellationToken))?.ServerType;

    public async Task<ServerType?> GetByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return (await ListPageAsync(new CatalogListOptions { Name = name }, 1, 1, cancellationToken)).FirstOrDefault;
    }

    public IAsyncEnumerable<ServerType> ListAsync(CatalogListOptions? options = null, CancellationToken cancellationToken = default)
        => _client.ListAllAsync("server_types", () => (options ?? new()).ToQuery(), Default.ServerTypesResponse, r => r.ServerTypes, r => r.Meta, cancellationToken);

    public Task<Page<ServerType>> ListPageAsync(CatalogListOptions? options, int page, int perPage, CancellationToken cancellationToken = default)
        => _client.ListPageAsync("server_types", (options ?? new()).ToQuery(), page, perPage, Default.ServerTypesResponse, r => r.ServerTypes, r => r.Meta, cancellationToken);
}
