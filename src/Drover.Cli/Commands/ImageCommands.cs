using System.CommandLine;
using System.Globalization;
using Drover.Cli.Output;
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
        var output = Common.Output();
        var selector = Common.Selector();
        var type = new Option<string[]>("--type", "-t") { Description = "Only these types: system, app, snapshot, backup (repeatable)", AllowMultipleArgumentsPerToken = true };
        type.AcceptOnlyFromAmong("system", "app", "snapshot", "backup");
        var arch = new Option<string?>("--arch") { Description = "Only this architecture: x86 or arm" };
        arch.AcceptOnlyFromAmong("x86", "arm");
        var deprecated = new Option<bool>("--include-deprecated") { Description = "Also list deprecated system images" };
        var command = new Command("list", "List images (newest snapshots last)") { output, selector, type, arch, deprecated };
        Common.SetHandler(command, env, async (parse, ct) =>
        {
            var options = new ImageListOptions
            {
                LabelSelector = Common.ParseSelector(parse.GetValue(selector)),
                Type = parse.GetValue(type) is { Length: > 0 } types ? [.. types.Select(ImageType.From)] : null,
                Architecture = parse.GetValue(arch) is { } a ? Architecture.From(a) : null,
                IncludeDeprecated = parse.GetValue(deprecated) ? true : null,
            };
            var client = await env.Connector.ConnectAsync(parse.GetValue(Common.Context), ct);
            var images = await client.Images.ListAsync(options, ct).ToListAsync(ct);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Json.Write<IReadOnlyList<Image>>(env.IO.Out, images, c => c.IReadOnlyListImage);
                return Common.Ok;
            }
            var table = new Table("ID", "TYPE", "NAME", "DESCRIPTION", "ARCH", "STATUS", "IMAGE SIZE", "DISK SIZE", "AGE", "LABELS");
            foreach (var i in images)
            {
                table.Add(i.Id.ToString(CultureInfo.InvariantCulture), i.Type.Value, i.Name, i.Description, i.Architecture.Value, i.Status.Value,
                    i.ImageSize is { } size ? size.ToString("0.00", CultureInfo.InvariantCulture) + " GB" : null,
                    i.DiskSize.ToString("0", CultureInfo.InvariantCulture) + " GB", Common.Age(i.Created, env.IO.Time), Common.Labels(i.Labels));
            }
            table.Write(env.IO.Out);
            return Common.Ok;
        });
        return command;
    }
}
