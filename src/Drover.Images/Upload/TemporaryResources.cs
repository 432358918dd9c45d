using Drover.Core.Ssh;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Microsoft.Extensions.Logging;

namespace Drover.Images.Upload;

/// <summary>
/// Deletes what an operation created, whatever happened to the operation: with its own time limit, never with the
/// operation's (possibly cancelled) token, and saying what is left when a deletion fails.
/// </summary>
internal static class Cleanup
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    public static async Task RunAsync(ILogger logger, string what, string runId, Func<CancellationToken, Task> delete)
    {
        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            await delete(cts.Token);
            logger.LogInformation("deleted {What}", what);
        }
        catch (HcloudApiException e) when (e.Code == ErrorCode.NotFound)
        {
            logger.LogInformation("{What} is gone already", what);
        }
        catch (Exception e) when (e is HcloudApiException or HttpRequestException or OperationCanceledException or ActionFailedException or InvalidOperationException)
        {
            logger.LogError("could not delete {What}: {Error}; remove it with 'drover cleanup --run {Run}'", what, e.Message, runId);
        }
    }
}

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

/// <summary>A server created for one run (not started); deleted on dispose, waiting for the deletion.</summary>
internal sealed class TemporaryServer(HcloudClient client, ILogger logger, string runId, Server server) : IAsyncDisposable
{
    public Server Server { get; private set; } = server;

    public static async Task<TemporaryServer> CreateAsync(HcloudClient client, ILogger logger, string runId, CreateServerRequest request, CancellationToken ct)
    {
        CreateServerResult created;
        try
        {
            created = await client.Servers.CreateAsync(request, ct);
        }
        catch (OperationCanceledException)
        {
            // Cancelled with the request under way: the API may have created the server all the same (names are unique).
            await Cleanup.RunAsync(logger, $"server {request.Name} (if the cancelled request created it)", runId, async c =>
            {
                if (await client.Servers.GetByNameAsync(request.Name, c) is { } orphan)
                {
                    await client.Actions.WaitAsync([await client.Servers.DeleteAsync(orphan.Id, c)], null, c);
                }
            });
            throw;
        }
        var handle = new TemporaryServer(client, logger, runId, created.Server);
        logger.LogInformation("created temporary server {Name} ({Id})", created.Server.Name, created.Server.Id);
        try
        {
            await client.Actions.WaitAsync([created.Action, .. created.NextActions], null, ct);
            await handle.RefreshAsync(ct);
            return handle;
        }
        catch
        {
            await handle.DisposeAsync();
            throw;
        }
    }

    public async Task<Server> RefreshAsync(CancellationToken ct)
        => Server = await client.Servers.GetAsync(Server.Id, ct) ?? throw new UploadException("server", $"server {Server.Id} disappeared");

    public async ValueTask DisposeAsync()
        => await Cleanup.RunAsync(logger, $"server {Server.Name} ({Server.Id})", runId, async ct =>
        {
            var action = await client.Servers.DeleteAsync(Server.Id, ct);
            await client.Actions.WaitAsync([action], null, ct);
        });
}
