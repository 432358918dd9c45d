using Drover.Images.Build;

namespace Drover.Images.Talos;

/// <summary>
/// The <c>talos</c> builder. The image itself is downloaded from the Image Factory by the rescue system at upload
/// time, so a build only records what will be fetched: a manifest with the URL, labels and description, no local
/// file, no sha256 and no scan.
/// </summary>
public static class TalosBuild
{
    /// <summary>Why a talos image is not scanned here.</summary>
    public const string NotScannedReason = "downloaded by the rescue system";

    /// <summary>The manifest of a talos image.</summary>
    public static ImageManifest Manifest(TalosImage image, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        return new ImageManifest
        {
            Builder = "talos",
            Architecture = image.Architecture,
            Path = null,
            Url = image.Url,
            Sha256 = null,
            Size = null,
            Labels = image.Labels,
            Description = image.Description,
            Created = (time ?? TimeProvider.System).GetUtcNow(),
            Scan = new ImageScan(false, [], NotScannedReason),
            Schematic = image.SchematicId,
            Version = image.Version,
        };
    }

    /// <summary><c>talos-ROLE-ARCH-VERSION.manifest.json</c> (<c>talos-ARCH-VERSION…</c> without a role).</summary>
    public static string ManifestFileName(TalosImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return $"talos-{(image.Role is null ? "" : image.Role + "-")}{image.Architecture}-{image.Version}.manifest.json";
    }

    /// <summary>Writes the manifest into <paramref name="outputDirectory"/> (created if missing) and returns its path.</summary>
    public static string Write(TalosImage image, string outputDirectory, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        var path = System.IO.Path.Combine(outputDirectory, ManifestFileName(image));
        Manifest(image, time).Write(path);
        return path;
    }
}
