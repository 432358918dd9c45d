namespace Drover.Images.Rescue;

/// <summary>What the rescue system writes and how; input to <see cref="RescueCommand.Build"/>.</summary>
public sealed record WriteOptions
{
    /// <summary>Download this URL on the rescue system; null means the image arrives on stdin.</summary>
    public Uri? Url { get; init; }

    /// <summary>Compression of the image file (resolved, not Auto).</summary>
    public required ImageCompression Compression { get; init; }

    public ImageFormat Format { get; init; } = ImageFormat.Raw;

    /// <summary>Extra compression applied only for the transfer over SSH (stdin only): <see cref="ImageCompression.Zstd"/> or None.</summary>
    public ImageCompression WireCompression { get; init; } = ImageCompression.None;

    /// <summary>The target disk.</summary>
    public string Device { get; init; } = "/dev/sda";

    /// <summary>Expected sha256 (hex) of the image file as given; checked before the command reports success.</summary>
    public string? ExpectedSha256 { get; init; }

    /// <summary>Discard the disk first and skip writing zero blocks (the disk then reads as zeros there).</summary>
    public bool Sparse { get; init; } = true;

    /// <summary>
    /// After writing, read the written bytes back and compare their sha256 with the stream's (a second full pass over
    /// the data). The sha256 of what arrived is always checked against the expected digest.
    /// </summary>
    public bool ReadBack { get; init; }

}
