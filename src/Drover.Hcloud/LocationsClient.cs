using Drover.Hcloud.Contracts;
using static Drover.Hcloud.Contracts.HcloudJsonContext;

namespace Drover.Hcloud;

/// <summary><c>/locations</c> (read-only).</summary>
public sealed class LocationsClient
{
    private readonly HcloudClient _client;

    internal LocationsClient(HcloudClient client) => _client = client;

    public async Task<Location?> GetAsync(long id, CancellationToken cancellationToken = default)
        => (await _client.GetOrNullAsync($"locations/{id}", Default.LocationResponse, cancellationToken))?.Location;

    public async Task<Location?> GetByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return (await ListPageAsync(new CatalogListOptions { Name = name }, 1, 1, cancellationToken)).FirstOrDefault;
    }

    public IAsyncEnumerable<Location> ListAsync(CatalogListOptions? options = null, CancellationToken cancellationToken = default)
        => _client.ListAllAsync("locations", () => (options ?? new()).ToQuery(), Default.LocationsResponse, r => r.Locations, r => r.Meta, cancellationToken);

    public Task<Page<Location>> ListPageAsync(CatalogListOptions? options, int page, int perPage, CancellationToken cancellationToken = default)
        => _client.ListPageAsync("locations", (options ?? new()).ToQuery(), page, perPage, Default.LocationsResponse, r => r.Locations, r => r.Meta, cancellationToken);
}
