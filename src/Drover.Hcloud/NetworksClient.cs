using Drover.Hcloud.Contracts;
using static Drover.Hcloud.Contracts.HcloudJsonContext;

namespace Drover.Hcloud;

/// <summary><c>/networks</c> with subnets.</summary>
public sealed class NetworksClient
{
    private readonly HcloudClient _client;

    internal NetworksClient(HcloudClient client) => _client = client;

    public async Task<Network?> GetAsync(long id, CancellationToken cancellationToken = default)
        => (await _client.GetOrNullAsync($"networks/{id}", Default.NetworkResponse, cancellationToken))?.Network;

    public async Task<Network?> GetByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return (await ListPageAsync(new NetworkListOptions { Name = name }, 1, 1, cancellationToken)).FirstOrDefault;
    }

    public IAsyncEnumerable<Network> ListAsync(NetworkListOptions? options = null, CancellationToken cancellationToken = default)
        => _client.ListAllAsync("networks", () => (options ?? new()).ToQuery(), Default.NetworksResponse, r => r.Networks, r => r.Meta, cancellationToken);

    public Task<Page<Network>> ListPageAsync(NetworkListOptions? options, int page, int perPage, CancellationToken cancellationToken = default)
        => _client.ListPageAsync("networks", (options ?? new()).ToQuery(), page, perPage, Default.NetworksResponse, r => r.Networks, r => r.Meta, cancellationToken);

    public async Task<Network> CreateAsync(CreateNetworkRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Labels.LabelValidation.ThrowIfInvalid(request.Labels, nameof(request));
        return (await _client.SendRequiredAsync(HttpMethod.Post, "networks", HcloudClient.Json(request, Default.CreateNetworkRequest), Default.NetworkResponse, cancellationToken)).Network;
    }

    public async Task<Network> UpdateAsync(long id, UpdateNetworkRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Labels.LabelValidation.ThrowIfInvalid(request.Labels, nameof(request));
        return (await _client.SendRequiredAsync(HttpMethod.Put, $"networks/{id}", HcloudClient.Json(request, Default.UpdateNetworkRequest), Default.NetworkResponse, cancellationToken)).Network;
    }

    public Task DeleteAsync(long id, CancellationToken cancellationToken = default)
        => _client.SendAsync<NetworkResponse>(HttpMethod.Delete, $"networks/{id}", null, null, cancellationToken);

    public async Task<CloudAction> AddSubnetAsync(long id, CreateSubnet subnet, CancellationToken cancellationToken = default)
        => (await _client.SendRequiredAsync(HttpMethod.Post, $"networks/{id}/actions/add_subnet", HcloudClient.Json(subnet, Default.CreateSubnet), Default.ActionResponse, cancellationToken)).Action;
}
