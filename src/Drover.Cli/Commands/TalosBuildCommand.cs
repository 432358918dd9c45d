using System.CommandLine;
using Drover.Cli.Output;
using Drover.Images.Talos;
using Drover.Images.Upload;
using Microsoft.Extensions.Logging;

namespace Drover.Cli.Commands;

/// <summary>
/// <c>drover talos build</c>: the manifests of a Talos image for each architecture (default x86 and arm, as
/// hcloud-talos builds them), and with <c>--upload</c> their snapshots, imported in parallel.
/// </summary>
internal static class TalosBuildCommand
{
    private static readonly string[] _architectures = ["x86", "arm"];

    public static Command Create(CliEnv env)
    {
        var options = new TalosImageOptions();
        var arch = new Option<string[]>("--arch") { Description = "Architectures: x86, arm, or both as x86,arm (repeatable; default both)", AllowMultipleArgumentsPerToken = false };
        var outputDir = new Option<string>("--output-dir") { Description = "Directory to write talos-ROLE-ARCH-VERSION.manifest.json into", DefaultValueFactory = _ => "." };
        var upload = new Option<bool>("--upload") { Description = "Also import each image as a snapshot, all architectures in parallel (a temporary cx23 for x86, cax11 for arm)" };
        var location = new Option<string>("--location") { Description = "--upload: location of the temporary servers", DefaultValueFactory = _ => "fsn1" };
        var force = new Option<bool>("--force") { Description = "--upload: import even if a snapshot with the same digest and architecture exists" };
        var deadline = new Option<string?>("--deadline") { Description = "--upload: time limit of each import, e.g. 30m; on expiry everything is cleaned up" };
        var output = Common.Output();
        var command = new Command("build", """
            Write the manifest of a Talos image for each architecture (default x86 and arm): URL, labels (os=talos, arch,
            version, role, creator, type=infra, the schematic), description, schematic ID. The image is downloaded from
            the Image Factory by the rescue system at upload time, so it is neither fetched nor scanned here. --upload
            imports all architectures in parallel, as 'drover image upload' does; each deletes its temporary server and
            key on every path, and one failing does not stop the others (exit 1 if any failed).
            """);
        options.AddTo(command, arch);
        foreach (var option in new Option[] { outputDir, upload, location, force, deadline, output })
        {
            command.Options.Add(option);
        }
        Common.SetHandler(command, env, async (parse, ct) =>
        {
            var architectures = Architectures(parse.GetValue(arch) ?? []);
            var template = new UploadOptions
            {
                Location = parse.GetValue(location)!,
                Force = parse.GetValue(force),
                Deadline = parse.GetValue(deadline) is { } d ? Parsing.Duration("--deadline", d) : null,
            };
            var schematic = options.Schematic(parse);
            var images = architectures.Select(a => options.Resolve(parse, schematic, a)).ToList();
            var built = images.Select(i => (Image: i, ManifestPath: TalosBuild.Write(i, parse.GetValue(outputDir)!))).ToList();
            await env.IO.Error.WriteLineAsync($"schematic {schematic.Id}");
            foreach (var image in images)
            {
                await env.IO.Error.WriteLineAsync($"{image.Architecture}: {image.Url}");
            }
            var format = parse.GetValue(output);
            if (!parse.GetValue(upload))
            {
                TalosBuildPrinter.PrintManifests(env, built, format);
                return Common.Ok;
            }
            var (client, runs) = await env.Connector.ConnectWithRunsAsync(parse.GetValue(Common.Context), ct);
            var uploader = new ImageUploader(client, env.Logging.CreateLogger<ImageUploader>(), runs: runs);
            // Side by side, each architecture's progress is its own prefixed lines (no line redrawn in place).
            var results = await TalosUpload.UploadAllAsync(uploader, built, template,
                image => new ProgressRenderer(env.IO.Error, terminal: false, prefix: $"{image.Architecture}: "), ct);
            return await TalosBuildPrinter.PrintUploadsAsync(env, results, format) ? Common.Ok : Common.Failure;
        });
        return command;
    }

    /// <summary><c>--arch</c> values (repeated or comma-separated), in the order x86, arm; none given: both.</summary>
    internal static IReadOnlyList<string> Architectures(IEnumerable<string> values)
    {
        var given = values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (given.FirstOrDefault(a => !_architectures.Contains(a, StringComparer.Ordinal)) is { } bad)
        {
            throw new UsageException($"--arch: '{bad}' is not x86 or arm");
        }
        return given.Count == 0 ? _architectures : [.. _architectures.Where(given.Contains)];
    }
}
