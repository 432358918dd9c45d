using Drover.Hcloud.Contracts;
using static Drover.Hcloud.Contracts.HcloudJsonContext;

namespace Drover.Hcloud;

/// <summary><c>/volumes</c>, with attach and detach.</summary>
public sealed class VolumesClient
{
    private readonly HcloudClient _client;

    internal VolumesClient(HcloudClient client) => _client = client;

    public async Task<Volume?> GetAsync(long id, CancellationToken cancellationToken = default)
        => (await _client.GetOrNullAsync($"volumes/{id}", Default.VolumeResponse, cancellationToken))?.Volume;

    public async Task<Volume?> GetByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return (await ListPageAsync(new VolumeListOptions { Name = name }, 1, 1, cancellationToken)).FirstOrDefault;
    }

    public IAsyncEnumerable<Volume> ListAsync(VolumeListOptions? options = null, CancellationToken cancellationToken = default)
        => _client.ListAllAsync("volumes", () => (options ?? new()).ToQuery(), Default.VolumesResponse, r => r.Volumes, r => r.Meta, cancellationToken);

    public Task<Page<Volume>> ListPageAsync(VolumeListOptions? options, int page, int perPage, CancellationToken cancellationToken = default)
        => _client.ListPageAsync("volumes", (options ?? new()).ToQuery(), page, perPage, Default.VolumesResponse, r => r.Volumes, r => r.Meta, cancellationToken);

    public Task<CreateVolumeResult> CreateAsync(CreateVolumeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Labels.LabelValidation.ThrowIfInvalid(request.Labels, nameof(request));
        return _client.SendRequiredAsync(HttpMethod.Post, "volumes", HcloudClient.Json(request, Default.CreateVolumeRequest), Default.CreateVolumeResult, cancellationToken);
    }

    public async Task<Volume> UpdateAsync(long id, UpdateVolumeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Labels.LabelValidation.ThrowIfInvalid(request.Labels, nameof(request));
        return (await _client.SendRequiredAsync(HttpMethod.Put, $"volumes/{id}", HcloudClient.Json(request, Default.UpdateVolumeRequest), Default.VolumeResponse, cancellationToken)).Volume;
    }

    public Task DeleteAsync(long id, CancellationToken cancellationToken = default)
        => _client.SendAsync<VolumeResponse>(HttpMethod.Delete, $"volumes/{id}", null, null, cancellationToken);

    public async Task<CloudAction> AttachAsync(long id, AttachVolumeRequest request, CancellationToken cancellationToken = default)
        => (await _client.SendRequiredAsync(HttpMethod.Post, $"volumes/{id}/actions/attach", HcloudClient.Json(request, Default.AttachVolumeRequest), Default.ActionResponse, cancellationToken)).Action;

    public async Task<CloudAction> DetachAsync(long id, CancellationToken cancellationToken = default)
        => (await _client.SendRequiredAsync(HttpMethod.Post, $"volumes/{id}/actions/detach", null, Default.ActionResponse, cancellationToken)).Action;
}
