using Drover.Hcloud.Contracts;
using static Drover.Hcloud.Contracts.HcloudJsonContext;

namespace Drover.Hcloud;

/// <summary><c>/servers</c> and the server actions.</summary>
public sealed class ServersClient
{
    private readonly HcloudClient _client;

    internal ServersClient(HcloudClient client) => _client = client;

    public async Task<Server?> GetAsync(long id, CancellationToken cancellationToken = default)
        => (await _client.GetOrNullAsync($"servers/{id}", Default.ServerResponse, cancellationToken))?.Server;

    public async Task<Server?> GetByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var page = await ListPageAsync(new ServerListOptions { Name = name }, 1, 1, cancellationToken);
        return page.FirstOrDefault;
    }

    public IAsyncEnumerable<Server> ListAsync(ServerListOptions? options = null, CancellationToken cancellationToken = default)
        => _client.ListAllAsync("servers", () => (options ?? new()).ToQuery(), Default.ServersResponse, r => r.Servers, r => r.Meta, cancellationToken);

    public Task<Page<Server>> ListPageAsync(ServerListOptions? options, int page, int perPage, CancellationToken cancellationToken = default)
        => _client.ListPageAsync("servers", (options ?? new()).ToQuery(), page, perPage, Default.ServersResponse, r => r.Servers, r => r.Meta, cancellationToken);

    public Task<CreateServerResult> CreateAsync(CreateServerRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Labels.LabelValidation.ThrowIfInvalid(request.Labels, nameof(request));
        return _client.SendRequiredAsync(HttpMethod.Post, "servers", HcloudClient.Json(request, Default.CreateServerRequest), Default.CreateServerResult, cancellationToken);
    }

    public async Task<Server> UpdateAsync(long id, UpdateServerRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Labels.LabelValidation.ThrowIfInvalid(request.Labels, nameof(request));
        return (await _client.SendRequiredAsync(HttpMethod.Put, $"servers/{id}", HcloudClient.Json(request, Default.UpdateServerRequest), Default.ServerResponse, cancellationToken)).Server;
    }

    public async Task<CloudAction> DeleteAsync(long id, CancellationToken cancellationToken = default)
        => (await _client.SendRequiredAsync(HttpMethod.Delete, $"servers/{id}", null, Default.ActionResponse, cancellationToken)).Action;

    public Task<CloudAction> PowerOnAsync(long id, CancellationToken cancellationToken = default) => ActionAsync(id, "poweron", null, cancellationToken);
    public Task<CloudAction> PowerOffAsync(long id, CancellationToken cancellationToken = default) => ActionAsync(id, "poweroff", null, cancellationToken);
    public Task<CloudAction> ShutdownAsync(long id, CancellationToken cancellationToken = default) => ActionAsync(id, "shutdown", null, cancellationToken);
    public Task<CloudAction> RebootAsync(long id, CancellationToken cancellationToken = default) => ActionAsync(id, "reboot", null, cancellationToken);
    public Task<CloudAction> ResetAsync(long id, CancellationToken cancellationToken = default) => ActionAsync(id, "reset", null, cancellationToken);
    public Task<CloudAction> DisableRescueAsync(long id, CancellationToken cancellationToken = default) => ActionAsync(id, "disable_rescue", null, cancellationToken);

    public Task<EnableRescueResult> EnableRescueAsync(long id, EnableRescueRequest request, CancellationToken cancellationToken = default)
        => _client.SendRequiredAsync(HttpMethod.Post, $"servers/{id}/actions/enable_rescue", HcloudClient.Json(request, Default.EnableRescueRequest), Default.EnableRescueResult, cancellationToken);

    public Task<CreateImageResult> CreateImageAsync(long id, CreateImageRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Labels.LabelValidation.ThrowIfInvalid(request.Labels, nameof(request));
        return _client.SendRequiredAsync(HttpMethod.Post, $"servers/{id}/actions/create_image", HcloudClient.Json(request, Default.CreateImageRequest), Default.CreateImageResult, cancellationToken);
    }

    public Task<RebuildServerResult> RebuildAsync(long id, RebuildServerRequest request, CancellationToken cancellationToken = default)
        => _client.SendRequiredAsync(HttpMethod.Post, $"servers/{id}/actions/rebuild", HcloudClient.Json(request, Default.RebuildServerRequest), Default.RebuildServerResult, cancellationToken);

    public Task<CloudAction> ChangeTypeAsync(long id, ChangeServerTypeRequest request, CancellationToken cancellationToken = default)
        => ActionAsync(id, "change_type", HcloudClient.Json(request, Default.ChangeServerTypeRequest), cancellationToken);

    public Task<CloudAction> AttachToNetworkAsync(long id, AttachToNetworkRequest request, CancellationToken cancellationToken = default)
        => ActionAsync(id, "attach_to_network", HcloudClient.Json(request, Default.AttachToNetworkRequest), cancellationToken);

    public Task<CloudAction> DetachFromNetworkAsync(long id, DetachFromNetworkRequest request, CancellationToken cancellationToken = default)
        => ActionAsync(id, "detach_from_network", HcloudClient.Json(request, Default.DetachFromNetworkRequest), cancellationToken);

    private async Task<CloudAction> ActionAsync(long id, string action, HttpContent? body, CancellationToken cancellationToken)
        => (await _client.SendRequiredAsync(HttpMethod.Post, $"servers/{id}/actions/{action}", body, Default.ActionResponse, cancellationToken)).Action;
}
