using System.Text.RegularExpressions;
using Drover.Hcloud.Labels;

namespace Drover.Images.Talos;

/// <summary>
/// One Talos image for Hetzner Cloud: the Image Factory URL of a schematic, version and architecture, and the
/// labels and description its snapshot gets (<c>os=talos</c>, <c>arch</c>, <c>version</c>, <c>role</c>,
/// <c>creator</c> and <c>type=infra</c> as hcloud-talos labels its snapshots, plus the schematic ID shortened to a
/// label value; the full ID is in the description).
/// </summary>
public sealed partial record TalosImage
{
    /// <summary>The label holding the (shortened) schematic ID.</summary>
    public const string SchematicLabel = "talos/schematic";

    /// <summary>The public Image Factory.</summary>
    public const string Factory = "https://factory.talos.dev";

    /// <summary>The value of the <c>creator</c> label (hcloud-talos writes <c>hcloud-talos</c> there).</summary>
    public const string Creator = "drover";

    /// <summary>Full 64-hex schematic ID.</summary>
    public required string SchematicId { get; init; }

    /// <summary>Talos version, e.g. <c>v1.12.2</c>.</summary>
    public required string Version { get; init; }

    /// <summary><c>x86</c> or <c>arm</c>.</summary>
    public required string Architecture { get; init; }

    /// <summary>Role the image is built for (e.g. <c>control-plane</c>, <c>worker</c>), or null for one image for all.</summary>
    public string? Role { get; init; }

    /// <summary>The raw hcloud disk image, xz-compressed, from the factory.</summary>
    public required string Url { get; init; }

    /// <summary>Snapshot labels (valid API labels).</summary>
    public required IReadOnlyDictionary<string, string> Labels { get; init; }

    /// <summary>Snapshot description, with the full schematic ID.</summary>
    public required string Description { get; init; }

    [GeneratedRegex("^v[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z]+(\\.[0-9A-Za-z]+)*)?$")]
    private static partial Regex VersionPattern();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex IdPattern();

    /// <summary>
    /// The image of <paramref name="schematic"/> for a version, architecture (<c>x86|arm</c>, also <c>amd64|arm64</c>)
    /// and optional role, from <paramref name="factory"/> (default <see cref="Factory"/>; a self-hosted Image Factory
    /// computes the same schematic IDs).
    /// </summary>
    public static TalosImage For(TalosSchematic schematic, string version, string architecture, string? role = null, Uri? factory = null)
    {
        ArgumentNullException.ThrowIfNull(schematic);
        return For(schematic.Id, version, architecture, role, factory);
    }

    /// <summary>The image of a schematic ID computed elsewhere.</summary>
    public static TalosImage For(string schematicId, string version, string architecture, string? role = null, Uri? factory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(schematicId);
        if (!IdPattern().IsMatch(schematicId))
        {
            throw new ArgumentException($"'{schematicId}' is not a schematic ID (64 lowercase hex characters)", nameof(schematicId));
        }
        CheckVersion(version);
        var arch = NormalizeArchitecture(architecture);
        if (role is not null && (role.Length == 0 || LabelValidation.ValueProblem(role) is not null || role.Contains('.', StringComparison.Ordinal)))
        {
            throw new ArgumentException($"role '{role}': use letters, digits, '-' and '_' (it becomes a label value and part of file names)", nameof(role));
        }
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["os"] = "talos",
            ["arch"] = arch,
            ["version"] = version,
            ["creator"] = Creator,
            ["type"] = "infra",
            [SchematicLabel] = ShortId(schematicId),
        };
        if (role is not null)
        {
            labels["role"] = role;
        }
        LabelValidation.ThrowIfInvalid(labels);
        var archName = arch == "arm" ? "ARM" : "x86";
        return new TalosImage
        {
            SchematicId = schematicId,
            Version = version,
            Architecture = arch,
            Role = role,
            Url = ImageUrl(schematicId, version, arch, factory),
            Labels = labels,
            Description = $"Talos Linux {version} {archName}{(role is null ? "" : $" ({role})")}, schematic {schematicId}",
        };
    }

    /// <summary><c>https://factory.talos.dev/image/ID/VERSION/hcloud-amd64.raw.xz</c> (or <c>arm64</c>; or under another factory).</summary>
    public static string ImageUrl(string schematicId, string version, string architecture, Uri? factory = null)
    {
        CheckVersion(version);
        var goArch = NormalizeArchitecture(architecture) == "arm" ? "arm64" : "amd64";
        return $"{FactoryBase(factory)}/image/{schematicId}/{version}/hcloud-{goArch}.raw.xz";
    }

    /// <summary>The factory's URL without a trailing slash; only http(s) URLs without query or fragment.</summary>
    private static string FactoryBase(Uri? factory)
    {
        if (factory is null)
        {
            return Factory;
        }
        if (!factory.IsAbsoluteUri || factory.Scheme is not ("http" or "https") || factory.Query.Length > 0 || factory.Fragment.Length > 0)
        {
            throw new ArgumentException($"Image Factory '{factory}': use an http(s) URL without query or fragment", nameof(factory));
        }
        return factory.AbsoluteUri.TrimEnd('/');
    }

    /// <summary>The label value of a schematic ID: its first 63 characters (label values hold at most 63).</summary>
    public static string ShortId(string schematicId)
    {
        ArgumentException.ThrowIfNullOrEmpty(schematicId);
        return schematicId.Length > LabelValidation.MaxNameLength ? schematicId[..LabelValidation.MaxNameLength] : schematicId;
    }

    /// <summary><c>x86</c>/<c>amd64</c> → <c>x86</c>, <c>arm</c>/<c>arm64</c> → <c>arm</c>; anything else is an <see cref="ArgumentException"/>.</summary>
    public static string NormalizeArchitecture(string architecture) => architecture switch
    {
        "x86" or "amd64" or "x86_64" => "x86",
        "arm" or "arm64" or "aarch64" => "arm",
        _ => throw new ArgumentException($"architecture '{architecture}': use x86 or arm", nameof(architecture)),
    };

    private static void CheckVersion(string version)
    {
        if (version is null || !VersionPattern().IsMatch(version))
        {
            throw new ArgumentException($"Talos version '{version}': expected the form v1.12.2", nameof(version));
        }
    }
}
