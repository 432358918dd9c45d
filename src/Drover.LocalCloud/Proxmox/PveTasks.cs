namespace Drover.LocalCloud.Proxmox;

/// <summary>
/// Runs worker tasks: each gets a UPID at once and runs its work in the background; a thrown exception's message
/// (its first line) becomes the exit status, as a dying PVE worker's does. Kept in memory (a restart forgets them).
/// </summary>
public sealed class PveTasks(string node, TimeProvider time, Microsoft.Extensions.Logging.ILogger? log = null)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, PveTask> _tasks = new(StringComparer.Ordinal);
    private int _next = 0x1000;

    public PveTask Start(string type, string id, string user, Func<PveTask, Task> work)
    {
        if (id.Contains(':', StringComparison.Ordinal) || type.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"a UPID's type and id cannot hold ':' ({type}, {id})");
        }
        PveTask task;
        lock (_gate)
        {
            _next++;
            task = new PveTask(node, _next, _next * 100L, time.GetUtcNow().ToUnixTimeSeconds(), type, id, user);
            _tasks[task.Upid] = task;
        }
        _ = Task.Run(async () =>
        {
            string? error = null;
            try
            {
                await work(task);
            }
            catch (Exception e)
            {
                error = e.Message.Split('\n')[0];
                if (e is not PveException)
                {
                    log?.Log(Microsoft.Extensions.Logging.LogLevel.Warning, e, "task {Type} {Id} failed", type, id);
                }
            }
            task.Finish(error, time.GetUtcNow().ToUnixTimeSeconds());
        });
        return task;
    }

    /// <summary>A task object that is not registered (the log of synchronous calls that share code with tasks).</summary>
    public PveTask Detached() => new(node, 0, 0, 0, "detached", "", "");

    public PveTask? Get(string upid)
    {
        lock (_gate)
        {
            return _tasks.GetValueOrDefault(upid);
        }
    }

    public IReadOnlyList<PveTask> All()
    {
        lock (_gate)
        {
            return [.. _tasks.Values];
        }
    }

    /// <summary>Waits for every task that is still running (shutdown, tests).</summary>
    public Task WhenAllAsync() => Task.WhenAll(All().Select(t => t.Finished));
}
