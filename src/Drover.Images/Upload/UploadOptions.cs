using Drover.Hcloud.Contracts;

namespace Drover.Images.Upload;

/// <summary>What <see cref="ImageUploader.UploadAsync"/> imports, and how.</summary>
public sealed record UploadOptions
{
    /// <summary>A local image file, streamed over SSH. Exactly one of this and <see cref="ImageUrl"/>.</summary>
    public string? ImagePath { get; init; }

    /// <summary>An http(s) URL the rescue system downloads.</summary>
    public Uri? ImageUrl { get; init; }

    public ImageCompression Compression { get; init; } = ImageCompression.Auto;
    public ImageFormat Format { get; init; } = ImageFormat.Raw;

    /// <summary>Architecture of the snapshot; picks the temporary server's type unless <see cref="ServerType"/> is given.</summary>
    public Architecture? Architecture { get; init; }

    /// <summary>The temporary server's type (its architecture is the snapshot's).</summary>
    public string? ServerType { get; init; }

    public string Location { get; init; } = "fsn1";
    public string? Description { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Expected sha256 of the image file as given (lowercase hex); verified before any snapshot is taken.</summary>
    public string? ExpectedSha256 { get; init; }

    /// <summary>Overall time limit; on expiry everything created is deleted.</summary>
    public TimeSpan? Deadline { get; init; }

    /// <summary>Upload even if an available snapshot with the same digest and architecture exists.</summary>
    public bool Force { get; init; }

    /// <summary>How long to wait for the rescue system's SSH after power-on.</summary>
    public TimeSpan SshTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Also hash the whole disk as read back and compare it with the image's sha256: a second pass. A block upload always
    /// reads every block back and checks it against its digest; a streamed upload always checks the streamed digest.
    /// </summary>
    public bool ReadBack { get; init; }

    /// <summary>Compress uncompressed raw images with zstd for the transfer (when both sides have zstd).</summary>
    public bool WireCompression { get; init; } = true;

    /// <summary>The image's manifest; by default <c>IMAGE.manifest.json</c> or <c>NAME.manifest.json</c> next to a local image.</summary>
    public string? ManifestPath { get; init; }

    /// <summary>
    /// Upload as a delta over a snapshot: <c>auto</c> (the newest of the same image name and architecture with a block
    /// record), a snapshot id, or a label selector. The temporary server starts from that snapshot's disk and only the
    /// blocks that differ are sent. Null: a full upload.
    /// </summary>
    public string? Base { get; init; }

    /// <summary>The image's name (label <c>drover/image</c>, matched by <c>--base auto</c>); by default the file's name up to its first dot.</summary>
    public string? ImageName { get; init; }

    /// <summary>Import an image without a clean secret scan (no manifest, not scanned, or findings).</summary>
    public bool AllowUnscanned { get; init; }
}
