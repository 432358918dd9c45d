namespace Drover.Fleet.Config;

/// <summary>
/// A parsed and validated <c>drover.yaml</c>. Every value keeps where it came from (<see cref="Sources"/>), so errors found
/// later (at plan time, against the API) still name the file, line, column and field.
/// </summary>
public sealed record FleetFile
{
    /// <summary>The path the file was read from, as given (used in messages).</summary>
    public required string Path { get; init; }

    /// <summary>The fleet's name: the value of the <c>drover/fleet</c> label on every server of the fleet.</summary>
    public required string Name { get; init; }

    public FleetDefaults Defaults { get; init; } = new();

    /// <summary>Named images that hosts refer to, by name, in file order.</summary>
    public IReadOnlyList<ImageSpec> Images { get; init; } = [];

    /// <summary>The hosts, in file order.</summary>
    public IReadOnlyList<HostSpec> Hosts { get; init; } = [];

    /// <summary>Where each field was written, by dotted path (<c>hosts.web1.image</c>, <c>defaults.ssh_keys[0].public_key</c>).</summary>
    public SourceMap Sources { get; init; } = SourceMap.Empty;

    /// <summary>The directory relative paths in the file (templates, key files, secrets) are resolved against.</summary>
    public string BaseDirectory => System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path)) ?? ".";

    public HostSpec? FindHost(string name) => Hosts.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.Ordinal));

    public ImageSpec? FindImage(string name) => Images.FirstOrDefault(i => string.Equals(i.Name, name, StringComparison.Ordinal));
}
