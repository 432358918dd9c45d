using System.CommandLine;
using System.Globalization;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;

namespace Drover.Cli.Commands;

/// <summary><c>drover image list</c>.</summary>
internal static class ImageCommands
{
    public static Command Create(CliEnv env)
    {
        var image = new Command("image", "Images: system images and snapshots");
        image.Subcommands.Add(List(env));
        image.Subcommands.Add(ImageUploadCommand.Create(env));
        image.Subcommands.Add(ImageWriteCommand.Create(env));
        image.Subcommands.Add(ImagePruneCommand.Create(env));
        image.Subcommands.Add(ImageLabelCommand.Create(env));
        image.Subcommands.Add(ImageBuildCommand.Create(env));
        return image;
    }

    private static Command List(CliEnv env)
    {
        var type = new Option<string[]>("--type", "-t") { Description = "Only these types: system, app, snapshot, backup (repeatable)", AllowMultipleArgumentsPerToken = true };
        type.AcceptOnlyFromAmong("system", "app", "snapshot", "backup");
        var arch = new Option<string?>("--arch") { Description = "Only this architecture: x86 or arm" };
        arch.AcceptOnlyFromAmong("x86", "arm");
        var deprecated = new Option<bool>("--include-deprecated") { Description = "Also list deprecated system images" };
        return ListCommand.Create(env, "List images (newest snapshots last)",
            fetch: (client, selector, parse, ct) => client.Images.ListAsync(new ImageListOptions
            {
                LabelSelector = selector,
                Type = parse.GetValue(type) is { Length: > 0 } types ? [.. types.Select(ImageType.From)] : null,
                Architecture = parse.GetValue(arch) is { } a ? Architecture.From(a) : null,
                IncludeDeprecated = parse.GetValue(deprecated) ? true : null,
            }, ct),
            columns:
            [
                new("ID", i => i.Id.ToString(CultureInfo.InvariantCulture)),
                new("TYPE", i => i.Type.Value),
                new("NAME", i => i.Name),
                new("DESCRIPTION", i => i.Description),
                new("ARCH", i => i.Architecture.Value),
                new("STATUS", i => i.Status.Value),
                new("IMAGE SIZE", i => i.ImageSize is { } size ? size.ToString("0.00", CultureInfo.InvariantCulture) + " GB" : null),
                new("DISK SIZE", i => i.DiskSize.ToString("0", CultureInfo.InvariantCulture) + " GB"),
                new("AGE", i => Common.Age(i.Created, env.IO.Time)),
                new("LABELS", i => Common.Labels(i.Labels)),
            ],
            json: c => c.IReadOnlyListImage,
            type, arch, deprecated);
    }
}
