using Drover.Images.Build;

namespace Drover.Images.Nix;

/// <summary>Nix failed at a step of an image build: Nix's own message, with the user's file and line where Nix names one.</summary>
public sealed class NixException(string step, string what, NixError error)
    : ImageBuildException(step, $"{error.Location}{what}: {error.Message}")
{
    /// <summary>What Nix said.</summary>
    public NixError Error { get; } = error;

    /// <summary>A first line with the location and what failed, then Nix's message as it printed it.</summary>
    public override IReadOnlyList<string> Lines =>
        [$"{Step}: {Error.Location}{What}:", .. Error.Message.Split('\n').Select(l => "  " + l)];

    private string What { get; } = what;
}
