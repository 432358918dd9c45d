namespace Drover.Images.Upload;

/// <summary>Progress of an upload: the step, and for data steps the bytes so far and in all.</summary>
public sealed record UploadProgress(string Step, long Bytes = 0, long? TotalBytes = null, TimeSpan Elapsed = default);
