namespace Drover.Images;

/// <summary>How an image file is compressed. <see cref="Auto"/> is resolved from the file's magic bytes or the URL's extension.</summary>
public enum ImageCompression
{
    Auto,
    None,
    Gzip,
    Bzip2,
    Xz,
    Zstd,
}

/// <summary>The disk image format inside the (possibly compressed) file.</summary>
public enum ImageFormat
{
    Raw,
    Qcow2,
}

/// <summary>Recognises compression and formats by magic bytes and file names.</summary>
public static class ImageMagic
{
    /// <summary>The compression of data starting with <paramref name="head"/> (at least 6 bytes for a sure answer).</summary>
    public static ImageCompression DetectCompression(ReadOnlySpan<byte> head) => head switch
    {
        [0x1f, 0x8b, ..] => ImageCompression.Gzip,
        [(byte)'B', (byte)'Z', (byte)'h', ..] => ImageCompression.Bzip2,
        [0xfd, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00, ..] => ImageCompression.Xz,
        [0x28, 0xb5, 0x2f, 0xfd, ..] => ImageCompression.Zstd,
        _ => ImageCompression.None,
    };

    /// <summary>Whether the data starts like a qcow2 image (<c>QFI\xfb</c>).</summary>
    public static bool IsQcow2(ReadOnlySpan<byte> head) => head is [(byte)'Q', (byte)'F', (byte)'I', 0xfb, ..];

    /// <summary>The compression a URL or file name suggests by its extension (query and fragment ignored).</summary>
    public static ImageCompression CompressionFromName(string name)
    {
        var path = name.Split('?', '#')[0].ToLowerInvariant();
        return path switch
        {
            _ when path.EndsWith(".gz", StringComparison.Ordinal) || path.EndsWith(".tgz", StringComparison.Ordinal) => ImageCompression.Gzip,
            _ when path.EndsWith(".bz2", StringComparison.Ordinal) => ImageCompression.Bzip2,
            _ when path.EndsWith(".xz", StringComparison.Ordinal) => ImageCompression.Xz,
            _ when path.EndsWith(".zst", StringComparison.Ordinal) || path.EndsWith(".zstd", StringComparison.Ordinal) => ImageCompression.Zstd,
            _ => ImageCompression.None,
        };
    }

    /// <summary>The command that decompresses stdin to stdout on the rescue system.</summary>
    public static string Decompressor(ImageCompression compression) => compression switch
    {
        ImageCompression.None => "cat",
        ImageCompression.Gzip => "gzip -dc",
        ImageCompression.Bzip2 => "bzip2 -dc",
        ImageCompression.Xz => "xz -dc -T0",
        ImageCompression.Zstd => "zstd -dcq",
        _ => throw new ArgumentOutOfRangeException(nameof(compression), compression, "resolve Auto first"),
    };
}
