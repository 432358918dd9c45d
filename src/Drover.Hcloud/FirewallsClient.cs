using Drover.Hcloud.Contracts;
using static Drover.Hcloud.Contracts.HcloudJsonContext;

namespace Drover.Hcloud;

/// <summary><c>/firewalls</c>, with apply/remove and rules.</summary>
public sealed class FirewallsClient
{
    private readonly HcloudClient _client;

    internal FirewallsClient(HcloudClient client) => _client = client;

    public async Task<Firewall?> GetAsync(long id, CancellationToken cancellationToken = default)
        => (await _client.GetOrNullAsync($"firewalls/{id}", Default.FirewallResponse, cancellationToken))?.Firewall;

    public async Task<Firewall?> GetByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return (await ListPageAsync(new FirewallListOptions { Name = name }, 1, 1, cancellationToken)).FirstOrDefault;
    }

    public IAsyncEnumerable<Firewall> ListAsync(FirewallListOptions? options = null, CancellationToken cancellationToken = default)
        => _client.ListAllAsync("firewalls", () => (options ?? new()).ToQuery(), Default.FirewallsResponse, r => r.Firewalls, r => r.Meta, cancellationToken);

    public Task<Page<Firewall>> ListPageAsync(FirewallListOptions? options, int page, int perPage, CancellationToken cancellationToken = default)
        => _client.ListPageAsync("firewalls", (options ?? new()).ToQuery(), page, perPage, Default.FirewallsResponse, r => r.Firewalls, r => r.Meta, cancellationToken);

    public Task<CreateFirewallResult> CreateAsync(CreateFirewallRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Labels.LabelValidation.ThrowIfInvalid(request.Labels, nameof(request));
        return _client.SendRequiredAsync(HttpMethod.Post, "firewalls", HcloudClient.Json(request, Default.CreateFirewallRequest), Default.CreateFirewallResult, cancellationToken);
    }

    public async Task<Firewall> UpdateAsync(long id, UpdateFirewallRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Labels.LabelValidation.ThrowIfInvalid(request.Labels, nameof(request));
        return (await _client.SendRequiredAsync(HttpMethod.Put, $"firewalls/{id}", HcloudClient.Json(request, Default.UpdateFirewallRequest), Default.FirewallResponse, cancellationToken)).Firewall;
    }

    public Task DeleteAsync(long id, CancellationToken cancellationToken = default)
        => _client.SendAsync<FirewallResponse>(HttpMethod.Delete, $"firewalls/{id}", null, null, cancellationToken);

    public async Task<IReadOnlyList<CloudAction>> ApplyToResourcesAsync(long id, ApplyFirewallRequest request, CancellationToken cancellationToken = default)
        => (await _client.SendRequiredAsync(HttpMethod.Post, $"firewalls/{id}/actions/apply_to_resources", HcloudClient.Json(request, Default.ApplyFirewallRequest), Default.ActionsResponse, cancellationToken)).Actions;

    public async Task<IReadOnlyList<CloudAction>> RemoveFromResourcesAsync(long id, RemoveFirewallRequest request, CancellationToken cancellationToken = default)
        => (await _client.SendRequiredAsync(HttpMethod.Post, $"firewalls/{id}/actions/remove_from_resources", HcloudClient.Json(request, Default.RemoveFirewallRequest), Default.ActionsResponse, cancellationToken)).Actions;

    public async Task<IReadOnlyList<CloudAction>> SetRulesAsync(long id, SetFirewallRulesRequest request, CancellationToken cancellationToken = default)
        => (await _client.SendRequiredAsync(HttpMethod.Post, $"firewalls/{id}/actions/set_rules", HcloudClient.Json(request, Default.SetFirewallRulesRequest), Default.ActionsResponse, cancellationToken)).Actions;
}
