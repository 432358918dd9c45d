using System.CommandLine;
using Drover.Cli.Output;
using Drover.Hcloud.Contracts;
using Drover.Images;
using Drover.Images.Scan;
using Drover.Images.Upload;
using Microsoft.Extensions.Logging;

namespace Drover.Cli.Commands;

/// <summary><c>drover image upload</c>: a disk image becomes a snapshot through a temporary server's rescue system.</summary>
internal static class ImageUploadCommand
{
    public static Command Create(CliEnv env)
    {
        var path = new Option<string?>("--image-path") { Description = "Local image file (streamed over SSH)" };
        var url = new Option<string?>("--image-url") { Description = "http(s) URL the rescue system downloads" };
        var compression = new Option<ImageCompression>("--compression") { Description = "auto (magic bytes or URL extension), none, gzip, bzip2, xz, zstd", DefaultValueFactory = _ => ImageCompression.Auto };
        var format = new Option<ImageFormat>("--format") { Description = "raw or qcow2 (qcow2 is converted in place on the disk, no RAM-disk limit)", DefaultValueFactory = _ => ImageFormat.Raw };
        var arch = new Option<string?>("--architecture") { Description = "x86 (default) or arm" };
        arch.AcceptOnlyFromAmong("x86", "arm");
        var serverType = new Option<string?>("--server-type") { Description = "Type of the temporary server (default cx23 for x86, cax11 for arm)" };
        var location = new Option<string>("--location") { Description = "Location of the temporary server", DefaultValueFactory = _ => "fsn1" };
        var description = new Option<string?>("--description") { Description = "Snapshot description (default: file name and sha256)" };
        var labels = new Option<string[]>("--labels") { Description = "Snapshot labels: k=v,k2=v2 (repeatable)", AllowMultipleArgumentsPerToken = true };
        var sha = new Option<string?>("--sha256") { Description = "Expected sha256 of the image file; checked before any snapshot is taken" };
        var readBack = new Option<bool>("--verify-readback") { Description = "Also read the written bytes back from the disk and compare them (a second pass; the streamed sha256 is always checked)" };
        var deadline = new Option<string?>("--deadline") { Description = "Overall time limit, e.g. 30m; on expiry everything is cleaned up" };
        var force = new Option<bool>("--force") { Description = "Upload even if a snapshot with the same digest and architecture exists" };
        var manifestFile = new Option<string?>("--manifest") { Description = "The image's manifest (default: IMAGE.manifest.json or NAME.manifest.json next to it); its scan must be clean and its sha256 match" };
        var allowUnscanned = new Option<bool>("--allow-unscanned") { Description = "Upload an image without a clean secret scan (no manifest, not scanned, or findings)" };
        var output = Common.Output();
        var command = new Command("upload", """
            Import a disk image as a snapshot. A temporary SSH key and server (labelled drover/created-by and drover/run)
            boot the rescue system; the image is streamed (or downloaded), decompressed, written sparsely and verified;
            the server is shut down and snapshotted with your labels plus drover/digest; the temporary server and key
            are deleted on every path, including failure, Ctrl-C and --deadline. An identical earlier upload is reused.
            """)
        { path, url, compression, format, arch, serverType, location, description, labels, sha, readBack, deadline, force, manifestFile, allowUnscanned, output };
        Common.SetHandler(command, env, async (parse, ct) =>
        {
            var expected = parse.GetValue(sha)?.Trim().ToLowerInvariant();
            if (expected is not null && (expected.Length != 64 || !expected.All(Uri.IsHexDigit)))
            {
                throw new UsageException($"--sha256: '{expected}' is not 64 hex digits");
            }
            Uri? imageUrl = null;
            if (parse.GetValue(url) is { } u && (!Uri.TryCreate(u, UriKind.Absolute, out imageUrl) || imageUrl.Scheme is not ("http" or "https")))
            {
                throw new UsageException($"--image-url: '{u}' is not an http(s) URL");
            }
            if ((parse.GetValue(path) is null) == (imageUrl is null))
            {
                throw new UsageException("give exactly one of --image-path and --image-url");
            }
            var gate = UploadScanGate.Check(parse.GetValue(path), parse.GetValue(manifestFile), parse.GetValue(allowUnscanned), expected);
            if (gate.Refusal is { } refusal)
            {
                await env.IO.Error.WriteLineAsync($"error: upload refused: {refusal}");
                return Common.Failure;
            }
            var options = new UploadOptions
            {
                ImagePath = parse.GetValue(path),
                ImageUrl = imageUrl,
                Compression = parse.GetValue(compression),
                Format = parse.GetValue(format),
                Architecture = (parse.GetValue(arch) ?? gate.Manifest?.Architecture) is { } a ? Architecture.From(a) : null,
                ServerType = parse.GetValue(serverType),
                Location = parse.GetValue(location)!,
                Description = parse.GetValue(description) ?? gate.Manifest?.Description,
                Labels = new Dictionary<string, string>((gate.Manifest?.Labels ?? new Dictionary<string, string>()).Concat(Parsing.Labels("--labels", parse.GetValue(labels) ?? []))
                    .GroupBy(l => l.Key).Select(g => g.Last())),
                ExpectedSha256 = expected ?? gate.Manifest?.Sha256,
                Deadline = parse.GetValue(deadline) is { } d ? Parsing.Duration("--deadline", d) : null,
                ReadBack = parse.GetValue(readBack),
                Force = parse.GetValue(force),
            };
            var (client, runs) = await env.Connector.ConnectWithRunsAsync(parse.GetValue(Common.Context), ct);
            var uploader = new ImageUploader(client, env.Logging.CreateLogger<ImageUploader>(), runs: runs);
            var progress = new ProgressRenderer(env.IO.Error, env.IO.ErrorIsTerminal);
            UploadResult result;
            try
            {
                result = await uploader.UploadAsync(options, progress, ct);
            }
            finally
            {
                progress.EndLine();
            }
            if (result.Skipped)
            {
                await env.IO.Error.WriteLineAsync($"snapshot {result.Snapshot.Id} already holds this image (sha256 {result.Sha256}); nothing uploaded (--force uploads anyway)");
            }
            ImagePrinter.Print(env, result.Snapshot, parse.GetValue(output));
            return Common.Ok;
        });
        return command;
    }
}
