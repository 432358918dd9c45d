using Drover.Hcloud;
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
