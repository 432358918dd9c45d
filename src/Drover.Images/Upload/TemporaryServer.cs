using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Microsoft.Extensions.Logging;

namespace Drover.Images.Upload;

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
