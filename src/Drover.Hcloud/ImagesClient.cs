using Drover.Hcloud.Contracts;
using static Drover.Hcloud.Contracts.HcloudJsonContext;

namespace Drover.Hcloud;

/// <summary><c>/images</c>.</summary>
public sealed class ImagesClient
{
    private readonly HcloudClient _client;

    internal ImagesClient(HcloudClient client) => _client = client;

    public async Task<Image?> GetAsync(long id, CancellationToken cancellationToken = default)
        => (await _client.GetOrNullAsync($"images/{id}", Default.ImageResponse, cancellationToken))?.Image;

    /// <summary>A system or app image by name; names exist once per architecture, so pass it to choose.</summary>
    public async Task<Image?> GetByNameAsync(string name, Architecture? architecture = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var page = await ListPageAsync(new ImageListOptions { Name = name, Architecture = architecture }, 1, 2, cancellationToken);
        return page.FirstOrDefault;
    }

    public IAsyncEnumerable<Image> ListAsync(ImageListOptions? options = null, CancellationToken cancellationToken = default)
        => _client.ListAllAsync("images", () => (options ?? new()).ToQuery(), Default.ImagesResponse, r => r.Images, r => r.Meta, cancellationToken);

    public Task<Page<Image>> ListPageAsync(ImageListOptions? options, int page, int perPage, CancellationToken cancellationToken = default)
        => _client.ListPageAsync("images", (options ?? new()).ToQuery(), page, perPage, Default.ImagesResponse, r => r.Images, r => r.Meta, cancellationToken);

    public async Task<Image> UpdateAsync(long id, UpdateImageRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Labels.LabelValidation.ThrowIfInvalid(request.Labels, nameof(request));
        return (await _client.SendRequiredAsync(HttpMethod.Put, $"images/{id}", HcloudClient.Json(request, Default.UpdateImageRequest), Default.ImageResponse, cancellationToken)).Image;
    }

    public Task DeleteAsync(long id, CancellationToken cancellationToken = default)
        => _client.SendAsync<ImageResponse>(HttpMethod.Delete, $"images/{id}", null, null, cancellationToken);
}
