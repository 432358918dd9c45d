using System.CommandLine;
using Drover.Cli.Output;
using Drover.Hcloud.Contracts;
using Drover.Images.Upload;
using Microsoft.Extensions.Logging;

namespace Drover.Cli.Commands;

/// <summary><c>drover image upload</c>: a disk image becomes a snapshot through a temporary server's rescue system.</summary>
internal static class ImageUploadCommand
{
    public static Command Create(CliEnv env)
    {
        var source = new ImageSourceOptions();
        var arch = new Option<string?>("--architecture") { Description = "x86 (default) or arm" };
        arch.AcceptOnlyFromAmong("x86", "arm");
        var serverType = new Option<string?>("--server-type") { Description = "Type of the temporary server (default cx23 for x86, cax11 for arm)" };
        var location = new Option<string>("--location") { Description = "Location of the temporary server", DefaultValueFactory = _ => "fsn1" };
        var description = new Option<string?>("--description") { Description = "Snapshot description (default: the manifest's, or the file name and sha256)" };
        var labels = new Option<string[]>("--labels") { Description = "Snapshot labels: k=v,k2=v2 (repeatable; over the manifest's)", AllowMultipleArgumentsPerToken = true };
        var force = new Option<bool>("--force") { Description = "Upload even if a snapshot with the same digest and architecture exists" };
        var baseImage = new Option<string?>("--base")
        {
            Description = "Upload as a delta over a snapshot: auto (the newest of the same --name and architecture that Drover recorded blocks for), a snapshot id, or a label selector. Only differing blocks are sent; a base that does not match its record falls back to a full upload",
        };
        var name = new Option<string?>("--name") { Description = "The image's name, label drover/image (default: the file's name up to its first dot); --base auto matches it" };
        var output = Common.Output();
        var command = new Command("upload", """
            Import a disk image as a snapshot. A temporary SSH key and server (labelled drover/created-by and drover/run)
            boot the rescue system. A raw image (a compressed one is decompressed here first) is mapped in 4 MiB blocks:
            only data blocks are sent, each checked against its sha256 as the rescue system writes it, and the disk is
            read back for the whole image's sha256 before anything is snapshotted. With --base, the server starts from an
            earlier snapshot's disk and only the blocks that differ are sent. (URL and qcow2 images, and rescue systems
            without python3, are streamed whole and verified by their sha256.) The server is shut down and snapshotted
            with your labels plus drover/digest, drover/image and drover/blocks; the temporary server and key are
            deleted on every path, including failure, Ctrl-C and --deadline. An identical earlier upload is reused.
            A local image needs a clean secret scan in its manifest (as 'drover image build' writes it) unless --allow-unscanned.
            """);
        source.AddTo(command);
        foreach (var option in new Option[] { arch, serverType, location, description, labels, force, baseImage, name, output })
        {
            command.Options.Add(option);
        }
        Common.SetHandler(command, env, async (parse, ct) =>
        {
            var options = source.Read(parse) with
            {
                Architecture = parse.GetValue(arch) is { } a ? Architecture.From(a) : null,
                ServerType = parse.GetValue(serverType),
                Location = parse.GetValue(location)!,
                Description = parse.GetValue(description),
                Labels = Parsing.Labels("--labels", parse.GetValue(labels) ?? []),
                Force = parse.GetValue(force),
                Base = parse.GetValue(baseImage),
                ImageName = parse.GetValue(name),
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
