using System.Globalization;

namespace Drover.LocalCloud.Proxmox;

/// <summary>
/// One worker task, as pve-common's UPID.pm names it: <c>UPID:node:PID:PSTART:STARTTIME:type:id:user:</c> (PID,
/// PSTART and STARTTIME as 8 upper-case hex digits, a trailing colon), its log lines, and how it ended:
/// <c>OK</c>, <c>WARNINGS: n</c>, or the error text.
/// </summary>
public sealed class PveTask
{
    private readonly Lock _gate = new();
    private readonly List<string> _log = [];
    private int _warnings;

    public PveTask(string node, int pid, long pstart, long startTime, string type, string id, string user)
    {
        (Node, Pid, PStart, StartTime, Type, Id, User) = (node, pid, pstart, startTime, type, id, user);
        Upid = string.Create(CultureInfo.InvariantCulture, $"UPID:{node}:{pid:X8}:{pstart:X8}:{startTime:X8}:{type}:{id}:{user}:");
    }

    public string Upid { get; }
    public string Node { get; }
    public int Pid { get; }
    public long PStart { get; }
    public long StartTime { get; }
    public string Type { get; }
    public string Id { get; }
    public string User { get; }

    /// <summary>Null while it runs; then <c>OK</c>, <c>WARNINGS: n</c> or the error.</summary>
    public string? ExitStatus { get; private set; }

    public long? EndTime { get; private set; }

    /// <summary>Completes when the task has stopped.</summary>
    public Task Finished => _finished.Task;

    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<string> Log
    {
        get
        {
            lock (_gate)
            {
                return [.. _log];
            }
        }
    }

    public void Write(string line)
    {
        lock (_gate)
        {
            _log.Add(line);
        }
    }

    public void Warn(string line)
    {
        lock (_gate)
        {
            _warnings++;
            _log.Add("WARN: " + line);
        }
    }

    internal void Finish(string? error, long endTime)
    {
        lock (_gate)
        {
            ExitStatus = error ?? (_warnings > 0 ? $"WARNINGS: {_warnings}" : "OK");
            _log.Add(error is null ? "TASK " + ExitStatus : "TASK ERROR: " + error);
            EndTime = endTime;
        }
        _finished.TrySetResult();
    }
}
