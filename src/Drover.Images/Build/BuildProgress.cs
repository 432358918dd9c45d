namespace Drover.Images.Build;

/// <summary>A build step started (<see cref="Took"/> null) or finished (how long it took), with an optional detail.</summary>
public sealed record BuildProgress(string Step, TimeSpan? Took = null, string? Detail = null);

/// <summary>What a build wrote: the manifest (image path, sha256, size, labels, scan), where it is, and the step timings.</summary>
public sealed record BuildResult(ImageManifest Manifest, string ManifestPath, IReadOnlyList<Upload.StepTiming> Steps, bool CacheHit = false);
