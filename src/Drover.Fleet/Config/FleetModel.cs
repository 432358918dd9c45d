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

/// <summary>Values every host inherits unless it sets its own.</summary>
public sealed record FleetDefaults
{
    public string? Location { get; init; }
    public string? ServerType { get; init; }
    public IReadOnlyList<SshKeySpec> SshKeys { get; init; } = [];
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public string? AdminUser { get; init; }
    public string? Domain { get; init; }

    /// <summary>The flake every host converges from unless it names its own (<c>github:org/infra</c>).</summary>
    public string? Flake { get; init; }

    /// <summary>Where <c>drover secrets sync</c> puts a host's bundle (default <c>/var/lib/drover/secrets</c>).</summary>
    public string? SecretsPath { get; init; }

    /// <summary>The private key <c>server update apply</c> and <c>secrets sync</c> log in with (<c>ssh -i</c>); unset: ssh's own defaults.</summary>
    public string? IdentityFile { get; init; }
}

/// <summary>An SSH key the fleet's servers get: uploaded once, matched by fingerprint.</summary>
public sealed record SshKeySpec
{
    /// <summary>The key's name in the cloud when Drover has to upload it.</summary>
    public required string Name { get; init; }

    /// <summary>The public key in OpenSSH format; set from <c>public_key</c> or read from <c>public_key_file</c>.</summary>
    public string? PublicKey { get; init; }

    /// <summary>A path to a <c>.pub</c> file, relative to the fleet file; <c>~</c> expands to the home directory.</summary>
    public string? PublicKeyFile { get; init; }
}

/// <summary>How an image is chosen.</summary>
public enum ImageKind
{
    /// <summary>A fixed image ID (a snapshot Drover uploaded, usually).</summary>
    Pinned,

    /// <summary>The most recent available image matching a label selector and architecture.</summary>
    Selector,

    /// <summary>A system image by name, e.g. <c>debian-12</c>.</summary>
    Named,
}

/// <summary>A named image under <c>images:</c>, or the inline image of one host.</summary>
public sealed record ImageSpec
{
    /// <summary>The key under <c>images:</c>; for an inline host image, <c>hosts.NAME</c>.</summary>
    public required string Name { get; init; }

    public required ImageKind Kind { get; init; }

    /// <summary>For <see cref="ImageKind.Pinned"/>.</summary>
    public long? Id { get; init; }

    /// <summary>For <see cref="ImageKind.Selector"/>: a label selector as the API understands it.</summary>
    public string? Selector { get; init; }

    /// <summary>For <see cref="ImageKind.Named"/>: the image name, e.g. <c>debian-12</c>.</summary>
    public string? ImageName { get; init; }

    /// <summary><c>x86</c> or <c>arm</c>; when unset, the architecture of the host's server type.</summary>
    public string? Architecture { get; init; }

    /// <summary>Labels a pinned image must carry (e.g. <c>os: debian</c>); a mismatch is refused at plan time.</summary>
    public IReadOnlyDictionary<string, string> ExpectLabels { get; init; } = new Dictionary<string, string>();

    /// <summary>The dotted path of this spec in the file (<c>images.debian</c> or <c>hosts.web1</c>).</summary>
    public required string SourcePath { get; init; }
}

/// <summary>One server of the fleet.</summary>
public sealed record HostSpec
{
    /// <summary>The key under <c>hosts:</c>: the server's name and hostname.</summary>
    public required string Name { get; init; }

    public string? Role { get; init; }

    /// <summary>The host's image after resolving <c>image</c>/<c>image_selector</c> against <c>images:</c>.</summary>
    public required ImageSpec Image { get; init; }

    /// <summary>The effective server type (host's own or the default).</summary>
    public required string ServerType { get; init; }

    /// <summary>The effective location (host's own or the default).</summary>
    public required string Location { get; init; }

    /// <summary>Defaults' labels overlaid with the host's own; Drover adds <c>drover/fleet</c> and <c>drover/host</c>.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Network names or IDs to attach at creation.</summary>
    public IReadOnlyList<string> Networks { get; init; } = [];

    /// <summary>Firewall names or IDs to apply at creation.</summary>
    public IReadOnlyList<string> Firewalls { get; init; } = [];

    /// <summary>Volume names or IDs to attach at creation.</summary>
    public IReadOnlyList<string> Volumes { get; init; } = [];

    public UserDataSpec UserData { get; init; } = new();

    /// <summary>The effective flake reference (host's own or the default).</summary>
    public string? Flake { get; init; }

    /// <summary>The effective admin user (host's own or the default).</summary>
    public string? AdminUser { get; init; }

    /// <summary>The effective domain (host's own or the default); the FQDN is <c>NAME.DOMAIN</c>.</summary>
    public string? Domain { get; init; }

    /// <summary>Where update and secrets sync connect, <c>USER@ADDRESS</c>; default <c>root@</c> the server's public IPv4.</summary>
    public string? TargetHost { get; init; }

    /// <summary>
    /// The command that converges the host, run once at first boot and by <c>server update apply</c>. Unset with a flake:
    /// <c>nixos-rebuild switch --flake REF#NAME</c>.
    /// </summary>
    public string? Converge { get; init; }

    /// <summary>The effective secrets path on the host.</summary>
    public string SecretsPath { get; init; } = "/var/lib/drover/secrets";

    /// <summary>Static addressing for the <c>${NETWORK_INTERFACE}</c> … <c>${DNS_SERVERS}</c> placeholders.</summary>
    public StaticNetworkSpec? Network { get; init; }

    /// <summary>The converge command after defaults: <see cref="Converge"/>, or the NixOS one when a flake is set, else null.</summary>
    public string? EffectiveConverge =>
        Converge ?? (Flake is null ? null : $"nixos-rebuild switch --flake {Flake}#{Name}");
}

/// <summary>A host's user-data: templates (rendered with placeholders) and extra variables.</summary>
public sealed record UserDataSpec
{
    /// <summary>Template files relative to the fleet file; each becomes one part (several parts: MIME multipart).</summary>
    public IReadOnlyList<string> Templates { get; init; } = [];

    /// <summary>Extra placeholder values (<c>${NAME}</c>) beyond the built-in ones.</summary>
    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>();
}

/// <summary>A static address for the template placeholders (Proxmox/QEMU style hosts).</summary>
public sealed record StaticNetworkSpec
{
    public string Interface { get; init; } = "eth0";

    /// <summary>The address with its prefix length, e.g. <c>10.0.0.5/24</c>.</summary>
    public required string Address { get; init; }

    public string? Gateway { get; init; }

    public IReadOnlyList<string> Dns { get; init; } = [];
}

/// <summary>A position in a source file, 1-based line and column as editors show them.</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}

/// <summary>Field paths to their positions in the file.</summary>
public sealed class SourceMap
{
    private readonly Dictionary<string, SourceLocation> _map;

    public SourceMap(IDictionary<string, SourceLocation> map) => _map = new Dictionary<string, SourceLocation>(map, StringComparer.Ordinal);

    public static SourceMap Empty { get; } = new(new Dictionary<string, SourceLocation>());

    /// <summary>The location of <paramref name="path"/>, or of its nearest written parent (<c>hosts.web1.image</c> → <c>hosts.web1</c>).</summary>
    public SourceLocation? Find(string path)
    {
        for (var p = path; p.Length > 0; p = Parent(p))
        {
            if (_map.TryGetValue(p, out var location))
            {
                return location;
            }
        }
        return null;
    }

    private static string Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut <= 0 ? "" : path[..cut];
    }
}
