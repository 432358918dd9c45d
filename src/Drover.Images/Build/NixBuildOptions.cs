namespace Drover.Images.Build;

/// <summary>What <see cref="NixBuilder.BuildAsync"/> builds: the flake output <c>packages.SYSTEM.HOST-image</c>.</summary>
public sealed record NixBuildOptions
{
    /// <summary>The host whose image the flake builds (<c>HOST-image</c>).</summary>
    public required string Host { get; init; }

    /// <summary>The directory holding <c>flake.nix</c>.</summary>
    public string FlakeDirectory { get; init; } = ".";

    /// <summary>The Nix system, e.g. <c>x86_64-linux</c> or <c>aarch64-linux</c>.</summary>
    public string System { get; init; } = "x86_64-linux";

    public required string OutputDirectory { get; init; }

    /// <summary>The image's file name without extension; unset: the host name.</summary>
    public string? Name { get; init; }

    /// <summary>Labels added to (and overriding) <c>os=nixos</c>, <c>arch</c>.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>The PATH to find <c>nix</c> on; unset: this process's PATH.</summary>
    public string? SearchPath { get; init; }

    /// <summary>The flake attribute that is built.</summary>
    public string Attribute => $".#packages.{System}.{Host}-image";

    /// <summary><c>x86</c> or <c>arm</c> for <see cref="System"/>.</summary>
    public string Architecture => System.StartsWith("aarch64", StringComparison.Ordinal) ? "arm" : "x86";
}
