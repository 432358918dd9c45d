using Drover.Hcloud.Contracts;
using Drover.Images.Upload;

namespace Drover.Images.Talos;

/// <summary>
/// Imports the images of one talos build at once, each through <see cref="ImageUploader.UploadAsync"/> with its own
/// temporary server of its architecture (cx23 for x86, cax11 for arm, as hcloud-talos builds its x86 and ARM snapshots
/// in one run). The rescue systems download the images from the factory; the manifests give labels, description and
/// architecture. One architecture failing does not stop the other: each upload deletes what it created on every path,
/// and every result is returned. Only a cancellation of <c>cancellationToken</c> is thrown (after both have cleaned up).
/// </summary>
public static class TalosUpload
{
    /// <summary>
    /// Uploads every <c>(image, manifest)</c> in parallel with <paramref name="options"/> (location, deadline, force…)
    /// as the template; each gets its own progress from <paramref name="progress"/>. Results are in the order given.
    /// </summary>
    public static async Task<IReadOnlyList<TalosUploadResult>> UploadAllAsync(
        ImageUploader uploader,
        IReadOnlyList<(TalosImage Image, string ManifestPath)> images,
        UploadOptions options,
        Func<TalosImage, IProgress<UploadProgress>?>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uploader);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(options);
        if (images.Select(i => i.Image.Architecture).Distinct(StringComparer.Ordinal).Count() != images.Count)
        {
            throw new ArgumentException("each architecture can be uploaded once per run", nameof(images));
        }

        async Task<TalosUploadResult> UploadOneAsync(TalosImage image, string manifestPath)
        {
            var one = options with
            {
                ImagePath = null,
                ImageUrl = new Uri(image.Url),
                ManifestPath = manifestPath,
                Architecture = Architecture.From(image.Architecture),
                // Nothing local to scan: the rescue system downloads the image from the factory (the manifest says so).
                AllowUnscanned = true,
            };
            try
            {
                return new TalosUploadResult(image, manifestPath, await uploader.UploadAsync(one, progress?.Invoke(image), cancellationToken), null);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return new TalosUploadResult(image, manifestPath, null, e);
            }
        }

        // Task.Run: each upload starts at once, whatever its first synchronous steps take.
        return await Task.WhenAll(images.Select(i => Task.Run(() => UploadOneAsync(i.Image, i.ManifestPath), CancellationToken.None)));
    }
}
