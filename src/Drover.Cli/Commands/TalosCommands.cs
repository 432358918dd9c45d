using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Drover.Cli.Output;
using Drover.Images.Talos;

namespace Drover.Cli.Commands;

/// <summary><c>drover talos schematic|image|build</c>: Talos Image Factory schematics, computed locally (build: <see cref="TalosBuildCommand"/>).</summary>
internal static class TalosCommands
{
    public static Command Create(CliEnv env)
    {
        var talos = new Command("talos", "Talos Linux images from the Image Factory: schematic IDs computed locally, image URLs, labels, manifests");
        talos.Subcommands.Add(Schematic(env));
        talos.Subcommands.Add(Image(env));
        talos.Subcommands.Add(TalosBuildCommand.Create(env));
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

    private static Command Image(CliEnv env)
    {
        var options = new TalosImageOptions();
        var arch = new Option<string>("--arch") { Description = "Architecture: x86 or arm", Required = true };
        arch.AcceptOnlyFromAmong("x86", "arm");
        var output = Common.Output();
        var command = new Command("image", "Print the factory URL of the hcloud image, and the labels and description its snapshot gets") { output };
        options.AddTo(command, arch);
        Common.SetHandler(command, env, async (parse, _) =>
        {
            var image = options.Resolve(parse, options.Schematic(parse), parse.GetValue(arch)!);
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
}

internal sealed record SchematicJson(string Id, string Canonical);

internal sealed record ImageJson(string Schematic, string Version, string Architecture, string? Role, string Url, IReadOnlyDictionary<string, string> Labels, string Description)
{
    public static ImageJson From(TalosImage i) => new(i.SchematicId, i.Version, i.Architecture, i.Role, i.Url, i.Labels, i.Description);
}

/// <summary>One architecture of <c>talos build -o json</c>: the image, its manifest and, with <c>--upload</c>, how its import ended.</summary>
internal sealed record BuildJson(
    string Architecture,
    string Manifest,
    string Schematic,
    string Version,
    string? Role,
    string Url,
    IReadOnlyDictionary<string, string> Labels,
    string Description,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Snapshot = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Skipped = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error = null);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(SchematicJson))]
[JsonSerializable(typeof(ImageJson))]
[JsonSerializable(typeof(IReadOnlyList<BuildJson>))]
internal sealed partial class TalosJson : JsonSerializerContext;
