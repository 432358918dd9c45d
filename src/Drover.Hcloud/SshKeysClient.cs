using Drover.Hcloud.Contracts;
using static Drover.Hcloud.Contracts.HcloudJsonContext;

namespace Drover.Hcloud;

/// <summary><c>/ssh_keys</c>.</summary>
public sealed class SshKeysClient
{
    private readonly HcloudClient _client;

    internal SshKeysClient(HcloudClient client) => _client = client;

    public async Task<SshKey?> GetAsync(long id, CancellationToken cancellationToken = default)
        => (await _client.GetOrNullAsync($"ssh_keys/{id}", Default.SshKeyResponse, cancellationToken))?.SshKey;

    public async Task<SshKey?> GetByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return (await ListPageAsync(new SshKeyListOptions { Name = name }, 1, 1, cancellationToken)).FirstOrDefault;
    }

    public async Task<SshKey?> GetByFingerprintAsync(string fingerprint, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fingerprint);
        return (await ListPageAsync(new SshKeyListOptions { Fingerprint = fingerprint }, 1, 1, cancellationToken)).FirstOrDefault;
    }

    public IAsyncEnumerable<SshKey> ListAsync(SshKeyListOptions? options = null, CancellationToken cancellationToken = default)
        => _client.ListAllAsync("ssh_keys", () => (options ?? new()).ToQuery(), Default.SshKeysResponse, r => r.SshKeys, r => r.Meta, cancellationToken);

    public Task<Page<SshKey>> ListPageAsync(SshKeyListOptions? options, int page, int perPage, CancellationToken cancellationToken = default)
        => _client.ListPageAsync("ssh_keys", (options ?? new()).ToQuery(), page, perPage, Default.SshKeysResponse, r => r.SshKeys, r => r.Meta, cancellationToken);

    public async Task<SshKey> CreateAsync(CreateSshKeyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Labels.LabelValidation.ThrowIfInvalid(request.Labels, nameof(request));
        return (await _client.SendRequiredAsync(HttpMethod.Post, "ssh_keys", HcloudClient.Json(request, Default.CreateSshKeyRequest), Default.SshKeyResponse, cancellationToken)).SshKey;
    }

    public async Task<SshKey> UpdateAsync(long id, UpdateSshKeyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Labels.LabelValidation.ThrowIfInvalid(request.Labels, nameof(request));
        return (await _client.SendRequiredAsync(HttpMethod.Put, $"ssh_keys/{id}", HcloudClient.Json(request, Default.UpdateSshKeyRequest), Default.SshKeyResponse, cancellationToken)).SshKey;
    }

    public Task DeleteAsync(long id, CancellationToken cancellationToken = default)
        => _client.SendAsync<SshKeyResponse>(HttpMethod.Delete, $"ssh_keys/{id}", null, null, cancellationToken);
}
