using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Drover.Cli.Output;
using Drover.Images.Talos;

namespace Drover.Cli.Commands;

/// <summary><c>drover talos schematic|image|build</c>: Talos Image Factory schematics, computed locally.</summary>
internal static class TalosCommands
{
    public static Command Create(CliEnv env)
    {
        var talos = new Command("talos", "Talos Linux images from the Image Factory: schematic IDs computed locally, image URLs, labels, manifests");
        talos.Subcommands.Add(Schematic(env));
        talos.Subcommands.Add(Image(env));
        talos.Subcommands.Add(Build(env));
        return talos;
    }

    private static Command Schematic(CliEnv env)
    {
        var file = new Argument<string>("file") { Description = "Schematic file (YAML or JSON), as POSTed to the factory's /schematics" };
        var output = Common.Output();
        var command = new Command("schematic", "Print the schematic ID the Image Factory gives FILE (json: the ID and the canonical YAML it hashes)") { file, output };
        Common.SetHandler(command, env, async (parse, _) =>
        {
            var schematic = TalosSchematic.Load(parse.GetValue(file)!);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                await env.IO.Out.WriteLineAsync(JsonSerializer.Serialize(new SchematicJson(schematic.Id, schematic.Canonical()), TalosJson.Default.SchematicJson));
            }
            else
            {
                await env.IO.Out.WriteLineAsync(schematic.Id);
            }
            return Common.Ok;
        });
        return command;
    }

    private sealed record ImageOptions(Option<string> Schematic, Option<string> Version, Option<string> Arch, Option<string?> Role, Option<string[]> Extensions, Option<string[]> KernelArgs)
    {
        public static ImageOptions Create()
        {
            var arch = new Option<string>("--arch") { Description = "Architecture: x86 or arm", Required = true };
            arch.AcceptOnlyFromAmong("x86", "arm");
            return new(
                new Option<string>("--schematic") { Description = "Base schematic file (YAML or JSON)", Required = true },
                new Option<string>("--version") { Description = "Talos version, e.g. v1.12.2", Required = true },
                arch,
                new Option<string?>("--role") { Description = "Role the image is for (e.g. control-plane, worker): adds the role label and names the manifest" },
                new Option<string[]>("--extension") { Description = "Official extension this role adds to the base schematic (repeatable), e.g. siderolabs/tailscale", AllowMultipleArgumentsPerToken = false },
                new Option<string[]>("--kernel-arg") { Description = "Kernel argument this role adds to the base schematic (repeatable)" });
        }

        public void AddTo(Command command)
        {
            command.Options.Add(Schematic);
            command.Options.Add(Version);
            command.Options.Add(Arch);
            command.Options.Add(Role);
            command.Options.Add(Extensions);
            command.Options.Add(KernelArgs);
        }

        public TalosImage Resolve(ParseResult parse)
        {
            var schematic = TalosSchematic.Load(parse.GetValue(Schematic)!)
                .With(parse.GetValue(Extensions) ?? [], parse.GetValue(KernelArgs) ?? []);
            return TalosImage.For(schematic, parse.GetValue(Version)!, parse.GetValue(Arch)!, parse.GetValue(Role));
        }
    }

    private static Command Image(CliEnv env)
    {
        var options = ImageOptions.Create();
        var output = Common.Output();
        var command = new Command("image", "Print the factory URL of the hcloud image, and the labels and description its snapshot gets") { output };
        options.AddTo(command);
        Common.SetHandler(command, env, async (parse, _) =>
        {
            var image = options.Resolve(parse);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                await env.IO.Out.WriteLineAsync(JsonSerializer.Serialize(ImageJson.From(image), TalosJson.Default.ImageJson));
                return Common.Ok;
            }
            await env.IO.Out.WriteLineAsync($"schematic    {image.SchematicId}");
            await env.IO.Out.WriteLineAsync($"url          {image.Url}");
            await env.IO.Out.WriteLineAsync($"labels       {Common.Labels(image.Labels)}");
            await env.IO.Out.WriteLineAsync($"description  {image.Description}");
            return Common.Ok;
        });
        return command;
    }

    private static Command Build(CliEnv env)
    {
        var options = ImageOptions.Create();
        var outputDir = new Option<string>("--output") { Description = "Directory to write talos-ROLE-ARCH-VERSION.manifest.json into", Required = true };
        var command = new Command("build", """
            Write the manifest of a Talos image: URL, labels, description, schematic ID. The image itself is
            downloaded from the Image Factory by the rescue system at upload time, so it is neither fetched nor scanned here.
            """)
        { outputDir };
        options.AddTo(command);
        Common.SetHandler(command, env, async (parse, _) =>
        {
            var image = options.Resolve(parse);
            var path = TalosBuild.Write(image, parse.GetValue(outputDir)!);
            await env.IO.Out.WriteLineAsync(path);
            await env.IO.Error.WriteLineAsync($"schematic {image.SchematicId}, {image.Url}");
            return Common.Ok;
        });
        return command;
    }
}

internal sealed record SchematicJson(string Id, string Canonical);

internal sealed record ImageJson(string Schematic, string Version, string Architecture, string? Role, string Url, IReadOnlyDictionary<string, string> Labels, string Description)
{
    public static ImageJson From(TalosImage i) => new(i.SchematicId, i.Version, i.Architecture, i.Role, i.Url, i.Labels, i.Description);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(SchematicJson))]
[JsonSerializable(typeof(ImageJson))]
internal sealed partial class TalosJson : JsonSerializerContext;
