using System.Globalization;
using System.Text.RegularExpressions;
using Drover.Proxmox.Contracts;
using static Drover.Proxmox.Contracts.ProxmoxJsonContext;

namespace Drover.Proxmox;

/// <summary><c>/nodes/{node}/tasks/{upid}</c>: a task's status and log, and waiting for it to end.</summary>
public sealed partial class TasksClient
{
    private readonly ProxmoxClient _client;

    internal TasksClient(ProxmoxClient client) => _client = client;

    /// <summary><c>GET /nodes/{node}/tasks/{upid}/status</c> (the node is the UPID's).</summary>
    public Task<ProxmoxTaskStatus> GetStatusAsync(Upid upid, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upid);
        return _client.GetDataAsync(HttpMethod.Get, TaskPath(upid) + "/status", null, Default.ProxmoxResponseProxmoxTaskStatus, cancellationToken);
    }

    /// <summary><c>GET /nodes/{node}/tasks/{upid}/log?start=&amp;limit=</c>: lines and the log's total line count.</summary>
    public async Task<(IReadOnlyList<TaskLogLine> Lines, long? Total)> GetLogAsync(Upid upid, int start = 0, int limit = 50, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upid);
        var response = await _client.SendAsync(HttpMethod.Get, TaskPath(upid) + "/log",
            new FormParameters().Add("start", start).Add("limit", limit), Default.ProxmoxResponseIReadOnlyListTaskLogLine, cancellationToken);
        return (response.Data ?? [], response.Total);
    }

    /// <summary>
    /// Polls the task's status every <see cref="ProxmoxClientOptions.TaskPollInterval"/> (on the options'
    /// <see cref="TimeProvider"/>) until it stops, reporting each status through <paramref name="progress"/>. Success
    /// is exit status <c>OK</c> or <c>WARNINGS: n</c>; anything else throws <see cref="ProxmoxTaskFailedException"/>
    /// with the status text and the last lines of the task log. Past <paramref name="timeout"/> (default: none) throws
    /// <see cref="ProxmoxTaskTimeoutException"/>; the task keeps running on the server.
    /// </summary>
    public async Task<ProxmoxTaskResult> WaitAsync(Upid upid, TimeSpan? timeout = null, IProgress<ProxmoxTaskStatus>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upid);
        var time = _client.Options.TimeProvider;
        var deadline = timeout is { } t ? time.GetUtcNow() + t : (DateTimeOffset?)null;
        while (true)
        {
            var status = await GetStatusAsync(upid, cancellationToken);
            progress?.Report(status);
            if (!status.IsRunning)
            {
                var exit = status.ExitStatus ?? "unknown exit status";
                if (exit == "OK")
                {
                    return new ProxmoxTaskResult(upid, exit, 0);
                }
                if (Warnings().Match(exit) is { Success: true } w)
                {
                    return new ProxmoxTaskResult(upid, exit, int.Parse(w.Groups[1].Value, CultureInfo.InvariantCulture));
                }
                throw new ProxmoxTaskFailedException(upid, exit, await LogTailAsync(upid, cancellationToken));
            }
            if (deadline is { } d && time.GetUtcNow() >= d)
            {
                throw new ProxmoxTaskTimeoutException(upid, timeout!.Value);
            }
            await Task.Delay(_client.Options.TaskPollInterval, time, cancellationToken);
        }
    }

    /// <summary>The last lines of the log, best effort: a log that cannot be read leaves the list empty.</summary>
    private async Task<IReadOnlyList<string>> LogTailAsync(Upid upid, CancellationToken cancellationToken)
    {
        var wanted = _client.Options.FailedTaskLogLines;
        if (wanted <= 0)
        {
            return [];
        }
        try
        {
            var (lines, total) = await GetLogAsync(upid, 0, wanted, cancellationToken);
            if (total is { } n && n > wanted)
            {
                (lines, _) = await GetLogAsync(upid, (int)(n - wanted), wanted, cancellationToken);
            }
            return lines.Select(l => l.Text).Where(l => l != "no content").ToList();
        }
        catch (ProxmoxApiException)
        {
            return [];
        }
    }

    private static string TaskPath(Upid upid) => $"nodes/{ProxmoxClient.Segment(upid.Node)}/tasks/{ProxmoxClient.Segment(upid.Value)}";

    [GeneratedRegex(@"^WARNINGS: (\d+)$")]
    private static partial Regex Warnings();
}
