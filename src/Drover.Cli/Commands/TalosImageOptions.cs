using System.CommandLine;
using Drover.Images.Talos;

namespace Drover.Cli.Commands;

/// <summary>
/// The options that name a Talos image, the same for <c>talos image</c> and <c>talos build</c>: the base schematic,
/// the version, the role with its extensions and kernel arguments, and the Image Factory. The architecture option is
/// each command's own (one for <c>image</c>, a list for <c>build</c>) and is shown after the version.
/// </summary>
internal sealed class TalosImageOptions
{
    private readonly Option<string> _schematic = new("--schematic") { Description = "Base schematic file (YAML or JSON)", Required = true };
    private readonly Option<string> _version = new("--version") { Description = "Talos version, e.g. v1.12.2", Required = true };
    private readonly Option<string?> _role = new("--role") { Description = "Role the image is for (e.g. control-plane, worker): adds the role label and names the manifest" };
    private readonly Option<string[]> _extensions = new("--extension") { Description = "Official extension this role adds to the base schematic (repeatable), e.g. siderolabs/tailscale", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string[]> _kernelArgs = new("--kernel-arg") { Description = "Kernel argument this role adds to the base schematic (repeatable)" };
    private readonly Option<string?> _factory = new("--factory") { Description = $"Image Factory URL (default {TalosImage.Factory}); a self-hosted factory computes the same schematic IDs" };

    public void AddTo(Command command, Option architecture)
    {
        foreach (var option in new Option[] { _schematic, _version, architecture, _role, _extensions, _kernelArgs, _factory })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The base schematic with what the role adds.</summary>
    public TalosSchematic Schematic(ParseResult parse)
        => TalosSchematic.Load(parse.GetValue(_schematic)!).With(parse.GetValue(_extensions) ?? [], parse.GetValue(_kernelArgs) ?? []);

    /// <summary>The image of <paramref name="schematic"/> for one architecture.</summary>
    public TalosImage Resolve(ParseResult parse, TalosSchematic schematic, string architecture)
    {
        Uri? factory = null;
        if (parse.GetValue(_factory) is { } f && (!Uri.TryCreate(f, UriKind.Absolute, out factory) || factory.Scheme is not ("http" or "https")))
        {
            throw new UsageException($"--factory: '{f}' is not an http(s) URL");
        }
        return TalosImage.For(schematic, parse.GetValue(_version)!, architecture, parse.GetValue(_role), factory);
    }
}
