using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Drover.Images.Runs;

/// <summary>
/// Which of this machine's runs (uploads, image writes) are alive. A run holds an exclusive lock on its own file
/// (<c>RUN.json</c> under <see cref="Directory"/>) for as long as its process lives; the lock goes with the process,
/// also on SIGKILL or a crash. A record whose lock is free belongs to a run that ended without cleaning up: its
/// resources in the cloud are leftovers, whatever their age. Each record names the cloud it worked in
/// (<see cref="Scope"/>: <c>local</c>, <c>context:NAME</c>, <c>env:ENDPOINT</c>; never a token), so a cleanup in one
/// cloud forgets only that cloud's dead runs. The same directory holds a run's own files (its temporary SSH key pair),
/// which go with it.
/// </summary>
public sealed class RunLedger(string directory, string scope, TimeProvider? timeProvider = null)
{
    private static readonly TimeSpan _turnPoll = TimeSpan.FromMilliseconds(250);

    public string Directory { get; } = directory;
    public string Scope { get; } = scope;

    /// <summary>Records <paramref name="runId"/> as alive until the lease is disposed (or the process ends).</summary>
    public RunLease Begin(string runId, string what)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = RecordPath(runId);
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        try
        {
            var record = new RunRecord { Run = runId, Scope = Scope, What = what, Pid = Environment.ProcessId, Started = (timeProvider ?? TimeProvider.System).GetUtcNow() };
            stream.Write(JsonSerializer.SerializeToUtf8Bytes(record, RunJsonContext.Default.RunRecord));
            stream.Flush(flushToDisk: true);
            return new RunLease(this, runId, stream);
        }
        catch
        {
            stream.Dispose();
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Whether <paramref name="runId"/> is recorded here and its process still holds the record.</summary>
    public bool IsAlive(string runId) => File.Exists(RecordPath(runId)) && Read(RecordPath(runId)) is null;

    /// <summary>The runs of this scope recorded here whose process is gone.</summary>
    public IReadOnlyList<RunRecord> DeadRuns()
        => !System.IO.Directory.Exists(Directory)
            ? []
            : [.. System.IO.Directory.GetFiles(Directory, "*.json").Select(Read).OfType<RunRecord>().Where(r => r.Scope == Scope).OrderBy(r => r.Started)];

    /// <summary>Forgets a dead run: its record and its files.</summary>
    public void Forget(string runId)
    {
        var files = RunDirectory(runId);
        if (System.IO.Directory.Exists(files))
        {
            System.IO.Directory.Delete(files, recursive: true);
        }
        File.Delete(RecordPath(runId));
    }

    /// <summary>The directory for a run's own files (made on demand).</summary>
    public string RunDirectory(string runId) => Path.Combine(Directory, runId);

    /// <summary>
    /// Waits until no other run of this machine holds <paramref name="key"/> in this scope (for example: uploading the
    /// image with a given digest), then holds it until disposed. <paramref name="waiting"/> is told once if it must wait.
    /// </summary>
    public async Task<IDisposable> WaitTurnAsync(string key, Action waiting, TimeProvider time, CancellationToken cancellationToken)
    {
        var locks = Path.Combine(Directory, "locks");
        System.IO.Directory.CreateDirectory(locks);
        // Lock files are never deleted: deleting one while another process waits for it would let two runs hold it.
        var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{Scope}\n{key}")))[..32];
        var path = Path.Combine(locks, name + ".lock");
        var told = false;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (!cancellationToken.IsCancellationRequested)
            {
                if (!told)
                {
                    waiting();
                    told = true;
                }
                await Task.Delay(_turnPoll, time, cancellationToken);
            }
        }
    }

    private string RecordPath(string runId) => Path.Combine(Directory, runId + ".json");

    /// <summary>The record, or null while its run holds it (or when it is not a record).</summary>
    private static RunRecord? Read(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            return JsonSerializer.Deserialize(stream, RunJsonContext.Default.RunRecord);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>One run as recorded by <see cref="RunLedger"/>.</summary>
public sealed record RunRecord
{
    public required string Run { get; init; }
    public required string Scope { get; init; }

    /// <summary>What the run was, e.g. <c>image upload</c>.</summary>
    public required string What { get; init; }
    public int Pid { get; init; }
    public DateTimeOffset Started { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(RunRecord))]
internal sealed partial class RunJsonContext : JsonSerializerContext;
