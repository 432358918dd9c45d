namespace Drover.Images.Build;

/// <summary>What <see cref="NixBuilder.BuildAsync"/> builds: the flake output <c>packages.SYSTEM."HOST-image"</c>.</summary>
public sealed record NixBuildOptions
{
    /// <summary>The host: its <c>nixosConfigurations</c> entry and its image output <c>HOST-image</c>.</summary>
    public required string Host { get; init; }

    /// <summary>The directory holding <c>flake.nix</c>.</summary>
    public string FlakeDirectory { get; init; } = ".";

    /// <summary>The Nix system asked for (<c>x86_64-linux</c>, <c>aarch64-linux</c>); null: the host's own. A host of another system is an error.</summary>
    public string? System { get; init; }

    public required string OutputDirectory { get; init; }

    /// <summary>The image's file name without extension; unset: the host name.</summary>
    public string? Name { get; init; }

    /// <summary>Labels added to (and overriding) <c>os=nixos</c>, <c>arch</c>.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The published drover-agent for the host's system, passed to a flake that declares the input <c>drover-agent</c>
    /// (as a directory <c>SYSTEM/drover-agent</c>); null: <see cref="DefaultAgentPath"/>.
    /// </summary>
    public string? AgentPath { get; init; }

    /// <summary>The PATH to find <c>nix</c> on; unset: this process's PATH.</summary>
    public string? SearchPath { get; init; }

    /// <summary>The environment of the nix processes (null values unset a variable); unset: this process's.</summary>
    public IReadOnlyDictionary<string, string?>? Environment { get; init; }

    /// <summary>Where scripts/publish-agent puts the agent for a Nix system (relative to the working directory).</summary>
    public static string DefaultAgentPath(string system) =>
        $"artifacts/agent/{(NixSystems.Architecture(system) == "arm" ? "linux-arm64" : "linux-x64")}/drover-agent";
}
