using System.CommandLine;
using Drover.Images;
using Drover.Images.Upload;

namespace Drover.Cli.Commands;

/// <summary>
/// The options that say which image goes onto a disk and how it is checked, the same for <c>image upload</c> and
/// <c>image write</c>: the source (a file or a URL), its compression and format, the expected digest, the manifest and
/// its secret scan, a read-back pass and a deadline.
/// </summary>
internal sealed class ImageSourceOptions
{
    private readonly Option<string?> _path = new("--image-path") { Description = "Local image file (streamed over SSH)" };
    private readonly Option<string?> _url = new("--image-url") { Description = "http(s) URL the rescue system downloads" };
    private readonly Option<ImageCompression> _compression = new("--compression") { Description = "auto (magic bytes or URL extension), none, gzip, bzip2, xz, zstd", DefaultValueFactory = _ => ImageCompression.Auto };
    private readonly Option<ImageFormat> _format = new("--format") { Description = "raw or qcow2 (qcow2 is converted in place on the disk, no RAM-disk limit)", DefaultValueFactory = _ => ImageFormat.Raw };
    private readonly Option<string?> _sha = new("--sha256") { Description = "Expected sha256 of the image file; checked before anything is created, and against the written bytes" };
    private readonly Option<bool> _readBack = new("--verify-readback") { Description = "Also hash the whole disk as read back and compare it with the image's sha256 (a second pass: block uploads always read every block back and check its digest; streamed uploads always check the streamed sha256)" };
    private readonly Option<string?> _deadline = new("--deadline") { Description = "Overall time limit, e.g. 30m; on expiry everything is cleaned up" };
    private readonly Option<string?> _manifest = new("--manifest") { Description = "The image's manifest (default: IMAGE.manifest.json or NAME.manifest.json next to it); its scan must be clean and its sha256 match" };
    private readonly Option<bool> _allowUnscanned = new("--allow-unscanned") { Description = "Accept an image without a clean secret scan (no manifest, not scanned, or findings)" };

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var option in new Option[] { _path, _url, _compression, _format, _sha, _readBack, _deadline, _manifest, _allowUnscanned })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The options as given, checked for what the user alone can get wrong (exit code 2).</summary>
    public UploadOptions Read(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var expected = parse.GetValue(_sha)?.Trim().ToLowerInvariant();
        if (expected is not null && (expected.Length != 64 || !expected.All(Uri.IsHexDigit)))
        {
            throw new UsageException($"--sha256: '{expected}' is not 64 hex digits");
        }
        Uri? imageUrl = null;
        if (parse.GetValue(_url) is { } u && (!Uri.TryCreate(u, UriKind.Absolute, out imageUrl) || imageUrl.Scheme is not ("http" or "https")))
        {
            throw new UsageException($"--image-url: '{u}' is not an http(s) URL");
        }
        if ((parse.GetValue(_path) is null) == (imageUrl is null))
        {
            throw new UsageException("give exactly one of --image-path and --image-url");
        }
        return new UploadOptions
        {
            ImagePath = parse.GetValue(_path),
            ImageUrl = imageUrl,
            Compression = parse.GetValue(_compression),
            Format = parse.GetValue(_format),
            ExpectedSha256 = expected,
            ReadBack = parse.GetValue(_readBack),
            Deadline = parse.GetValue(_deadline) is { } d ? Parsing.Duration("--deadline", d) : null,
            ManifestPath = parse.GetValue(_manifest),
            AllowUnscanned = parse.GetValue(_allowUnscanned),
        };
    }
}
