using Drover.Hcloud.Contracts;

namespace Drover.Images.Upload;

/// <summary>How an upload ended: the snapshot, whether it already existed, and how long each step took.</summary>
public sealed record UploadResult(Image Snapshot, bool Skipped, string? Sha256, string RunId, IReadOnlyList<StepTiming> Steps);
