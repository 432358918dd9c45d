using Drover.Core.Ssh;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Microsoft.Extensions.Logging;

namespace Drover.Images.Upload;

/// <summary>An SSH key pair whose public half is uploaded for one run; both are deleted on dispose.</summary>
internal sealed class TemporaryKey(HcloudClient client, ILogger logger, string runId, SshKeyPair pair, SshKey key) : IAsyncDisposable
{
    public SshKeyPair Pair { get; } = pair;
    public SshKey Key { get; } = key;

    public static async Task<TemporaryKey> CreateAsync(HcloudClient client, ILogger logger, string runId, IReadOnlyDictionary<string, string> labels, CancellationToken ct, string? keyDirectory = null)
    {
        var pair = await SshKeyPair.CreateAsync($"drover-{runId}", keyDirectory, ct);
        try
        {
            var key = await client.SshKeys.CreateAsync(new CreateSshKeyRequest { Name = $"drover-{runId}", PublicKey = pair.PublicKey, Labels = labels }, ct);
            logger.LogInformation("created temporary SSH key {Id}", key.Id);
            return new TemporaryKey(client, logger, runId, pair, key);
        }
        catch (OperationCanceledException)
        {
            // Cancelled with the request under way: the API may have created the key all the same. Its name is the run's own.
            await Cleanup.RunAsync(logger, $"SSH key drover-{runId} (if the cancelled request created it)", runId, async c =>
            {
                if (await client.SshKeys.GetByNameAsync($"drover-{runId}", c) is { } orphan)
                {
                    await client.SshKeys.DeleteAsync(orphan.Id, c);
                }
            });
            pair.Dispose();
            throw;
        }
        catch
        {
            pair.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Cleanup.RunAsync(logger, $"SSH key {Key.Id}", runId, ct => client.SshKeys.DeleteAsync(Key.Id, ct));
        Pair.Dispose();
    }
}
