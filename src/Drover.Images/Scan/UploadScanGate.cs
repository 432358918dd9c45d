using Drover.Images.Build;
using Drover.Images.Upload;

namespace Drover.Images.Scan;

/// <summary>
/// Whether an image may be uploaded: its manifest (<c>IMAGE.manifest.json</c>, or <c>NAME.manifest.json</c> next to
/// <c>NAME.raw</c>/<c>NAME.raw.zst</c>, or one given) must record a scan without findings, unless unscanned images are
/// allowed. The manifest's sha256 becomes the expected digest, so a changed file is refused before anything is created.
/// </summary>
public static class UploadScanGate
{
    private static readonly string[] _imageSuffixes = [".raw.zst", ".raw.gz", ".raw.xz", ".raw.bz2", ".img.zst", ".raw", ".img", ".qcow2", ".zst"];

    /// <summary>The verdict: the manifest found (if any), and why the upload is refused (null: allowed).</summary>
    public sealed record Verdict(ImageManifest? Manifest, string? ManifestPath, string? Refusal);

    /// <summary>The manifest files looked for next to <paramref name="imagePath"/>, in order.</summary>
    public static IEnumerable<string> Candidates(string imagePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(imagePath);
        yield return imagePath + ".manifest.json";
        foreach (var suffix in _imageSuffixes)
        {
            if (imagePath.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                yield return imagePath[..^suffix.Length] + ".manifest.json";
                yield break;
            }
        }
    }

    /// <summary>Checks an upload of <paramref name="imagePath"/> (a local file) or of a URL image (null) with an optional explicit manifest.</summary>
    public static Verdict Check(string? imagePath, string? manifestPath, bool allowUnscanned, string? expectedSha256 = null)
    {
        var path = manifestPath ?? (imagePath is null ? null : Candidates(imagePath).FirstOrDefault(File.Exists));
        if (path is null)
        {
            if (imagePath is not null && !File.Exists(imagePath))
            {
                return new Verdict(null, null, null); // the uploader names the missing file
            }
            return new Verdict(null, null, allowUnscanned || imagePath is null ? null
                : $"{imagePath} is not scanned: no manifest ({Candidates(imagePath).First()}); build it with 'drover image build', name its manifest, or allow unscanned images");
        }
        var manifest = ImageManifest.Read(path);
        if (manifest.Sha256 is { } sha && expectedSha256 is not null && !string.Equals(sha, expectedSha256, StringComparison.OrdinalIgnoreCase))
        {
            return new Verdict(manifest, path, $"the expected sha256 {expectedSha256} differs from the manifest's {sha} ({path})");
        }
        if (allowUnscanned)
        {
            return new Verdict(manifest, path, null);
        }
        if (manifest.Scan.Findings.Count > 0)
        {
            return new Verdict(manifest, path, $"the image has secret scan findings ({path}): "
                + string.Join("; ", manifest.Scan.Findings.Select(f => $"{f.Path}: {f.Kind}: {f.Detail}")));
        }
        if (!manifest.Scan.Scanned)
        {
            return new Verdict(manifest, path, $"the image is not scanned ({path}: {manifest.Scan.Reason ?? "no reason given"}); allow unscanned images to upload it anyway");
        }
        return new Verdict(manifest, path, null);
    }

    /// <summary>
    /// Checks <paramref name="options"/> and fills in what its manifest knows and the options leave open (architecture,
    /// description, labels under the given ones, expected sha256), and the manifest's path. A refusal is an
    /// <see cref="UploadException"/> at step <c>scan</c>, an architecture other than the manifest's one at step
    /// <c>input</c>, both before anything is created.
    /// </summary>
    public static UploadOptions Apply(UploadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var verdict = Check(options.ImagePath, options.ManifestPath, options.AllowUnscanned, options.ExpectedSha256);
        if (verdict.Refusal is { } refusal)
        {
            throw new UploadException("scan", "upload refused: " + refusal);
        }
        if (verdict.Manifest is not { } manifest)
        {
            return options;
        }
        var architecture = Hcloud.Contracts.Architecture.From(manifest.Architecture);
        if (options.Architecture is { } given && given != architecture)
        {
            throw new UploadException("input", $"the architecture is {given}, but the image's manifest {verdict.ManifestPath} says {architecture}");
        }
        var labels = new Dictionary<string, string>(manifest.Labels, StringComparer.Ordinal);
        foreach (var (key, value) in options.Labels)
        {
            labels[key] = value;
        }
        return options with
        {
            Architecture = architecture,
            ManifestPath = verdict.ManifestPath,
            Description = options.Description ?? manifest.Description,
            Labels = labels,
            ExpectedSha256 = options.ExpectedSha256 ?? manifest.Sha256,
        };
    }
}
