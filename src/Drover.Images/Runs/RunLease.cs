namespace Drover.Images.Runs;

/// <summary>A live run's hold on its ledger record; disposing it (the run ended and cleaned up) forgets the run.</summary>
public sealed class RunLease : IDisposable
{
    private readonly RunLedger _ledger;
    private readonly FileStream _record;
    private bool _disposed;

    internal RunLease(RunLedger ledger, string runId, FileStream record)
    {
        _ledger = ledger;
        _record = record;
        RunId = runId;
    }

    public string RunId { get; }

    /// <summary>The run's own directory (made on demand): what is in it goes with the run, or with a cleanup of it.</summary>
    public string Directory
    {
        get
        {
            var path = _ledger.RunDirectory(RunId);
            System.IO.Directory.CreateDirectory(path);
            return path;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        // Forget while still holding the record, so that no cleanup takes the run for dead in between.
        var files = _ledger.RunDirectory(RunId);
        if (System.IO.Directory.Exists(files))
        {
            System.IO.Directory.Delete(files, recursive: true);
        }
        File.Delete(Path.Combine(_ledger.Directory, RunId + ".json"));
        _record.Dispose();
    }
}
