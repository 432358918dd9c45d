using System.CommandLine;
using Drover.Cli.Output;
using Drover.Hcloud.Contracts;
using Drover.Images;
using Drover.Images.Upload;
using Microsoft.Extensions.Logging;

namespace Drover.Cli.Commands;

/// <summary><c>drover image write --server NAME</c>: write an image onto an existing server's disk through rescue, then boot it.</summary>
internal static class ImageWriteCommand
{
    public static Command Create(CliEnv env)
    {
        var server = new Option<string>("--server") { Description = "Server name or ID", Required = true };
        var path = new Option<string?>("--image-path") { Description = "Local image file (streamed over SSH)" };
        var url = new Option<string?>("--image-url") { Description = "http(s) URL the rescue system downloads" };
        var compression = new Option<ImageCompression>("--compression") { Description = "auto, none, gzip, bzip2, xz, zstd", DefaultValueFactory = _ => ImageCompression.Auto };
        var format = new Option<ImageFormat>("--format") { Description = "raw or qcow2", DefaultValueFactory = _ => ImageFormat.Raw };
        var sha = new Option<string?>("--sha256") { Description = "Expected sha256 of the image file" };
        var readBack = new Option<bool>("--verify-readback") { Description = "Also read the written bytes back from the disk and compare them (a second pass; the streamed sha256 is always checked)" };
        var deadline = new Option<string?>("--deadline") { Description = "Overall time limit, e.g. 30m" };
        var command = new Command("write", "Write an image onto an existing server's disk through its rescue system, then boot it from that disk (the disk's data is replaced)")
        { server, path, url, compression, format, sha, deadline };
        Common.SetHandler(command, env, async (parse, ct) =>
        {
            Uri? imageUrl = null;
            if (parse.GetValue(url) is { } u && (!Uri.TryCreate(u, UriKind.Absolute, out imageUrl) || imageUrl.Scheme is not ("http" or "https")))
            {
                throw new UsageException($"--image-url: '{u}' is not an http(s) URL");
            }
            if ((parse.GetValue(path) is null) == (imageUrl is null))
            {
                throw new UsageException("give exactly one of --image-path and --image-url");
            }
            var (client, runs) = await env.Connector.ConnectWithRunsAsync(parse.GetValue(Common.Context), ct);
            var reference = IdOrName.Parse(parse.GetValue(server)!);
            var target = (reference.Id is { } id ? await client.Servers.GetAsync(id, ct) : await client.Servers.GetByNameAsync(reference.Name!, ct))
                ?? throw new UsageException($"server not found: {reference}");
            var options = new UploadOptions
            {
                ImagePath = parse.GetValue(path),
                ImageUrl = imageUrl,
                Compression = parse.GetValue(compression),
                Format = parse.GetValue(format),
                ExpectedSha256 = parse.GetValue(sha)?.Trim().ToLowerInvariant(),
                Deadline = parse.GetValue(deadline) is { } d ? Parsing.Duration("--deadline", d) : null,
                ReadBack = parse.GetValue(readBack),
            };
            var progress = new ProgressRenderer(env.IO.Error, env.IO.ErrorIsTerminal);
            try
            {
                await new ImageUploader(client, env.Logging.CreateLogger<ImageUploader>(), runs: runs).WriteToServerAsync(target.Id, options, progress, ct);
            }
            finally
            {
                progress.EndLine();
            }
            await env.IO.Error.WriteLineAsync($"server {target.Name} now boots the written image");
            return Common.Ok;
        });
        return command;
    }
}
