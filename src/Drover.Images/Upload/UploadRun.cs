using Microsoft.Extensions.Logging;

namespace Drover.Images.Upload;

/// <summary>Tracks the current step: logs it, times it, and reports progress.</summary>
internal sealed class UploadRun(string id, IProgress<UploadProgress>? progress, TimeProvider time, ILogger logger)
{
    private readonly List<StepTiming> _timings = [];
    private long _stepStarted = time.GetTimestamp();
    private long? _total;
    private long? _skipped;

    public string Id { get; } = id;
    public string Current { get; private set; } = "start";
    public IReadOnlyList<StepTiming> Timings => _timings;

    public void Step(string name, long? totalBytes = null, long? skippedBytes = null)
    {
        Finish();
        Current = name;
        _total = totalBytes;
        _skipped = skippedBytes;
        _stepStarted = time.GetTimestamp();
        logger.LogInformation("step: {Step}", name);
        progress?.Report(new UploadProgress(name, 0, totalBytes, default, skippedBytes));
    }

    public SyncProgress BytesProgress()
        => new SyncProgress(bytes => progress?.Report(new UploadProgress(Current, bytes, _total, time.GetElapsedTime(_stepStarted), _skipped)));

    public void Finish()
    {
        if (Current != "start" && _timings.All(t => t.Step != Current))
        {
            _timings.Add(new StepTiming(Current, time.GetElapsedTime(_stepStarted)));
        }
    }
}
