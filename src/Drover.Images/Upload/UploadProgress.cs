namespace Drover.Images.Upload;

/// <summary>
/// Progress of an upload: the step, and for data steps the bytes so far and in all; for a block upload's write also the
/// image bytes it skips (zero, or the same on the base disk), which are never sent.
/// </summary>
public sealed record UploadProgress(string Step, long Bytes = 0, long? TotalBytes = null, TimeSpan Elapsed = default, long? SkippedBytes = null);
