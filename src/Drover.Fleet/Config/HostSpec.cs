using Drover.Core.Nix;

namespace Drover.Fleet.Config;

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

    /// <summary>
    /// Whether the default converge command evaluates impurely (host's own <c>impure</c> or the default): then it is
    /// <c>nixos-rebuild switch --flake REF#NAME --impure</c>, so that the configuration may read
    /// <c>/etc/hcloud-metadata.json</c> (<c>drover.nixosModules.hcloud</c>). The user-data's <c>drover:</c> mapping
    /// carries it to drover-agent.
    /// </summary>
    public bool Impure { get; init; }

    /// <summary>The effective admin user (host's own or the default).</summary>
    public string? AdminUser { get; init; }

    /// <summary>The effective domain (host's own or the default); the FQDN is <c>NAME.DOMAIN</c>.</summary>
    public string? Domain { get; init; }

    /// <summary>Where update and secrets sync connect, <c>USER@ADDRESS</c>; default <c>root@</c> the server's public IPv4.</summary>
    public string? TargetHost { get; init; }

    /// <summary>
    /// The command that converges the host, run once at first boot and by <c>server update apply</c>. Unset with a flake:
    /// <c>nixos-rebuild switch --flake REF#NAME</c> (see <see cref="EffectiveConverge"/>).
    /// </summary>
    public string? Converge { get; init; }

    /// <summary>The effective secrets path on the host.</summary>
    public string SecretsPath { get; init; } = "/var/lib/drover/secrets";

    /// <summary>Static addressing for the <c>${NETWORK_INTERFACE}</c> … <c>${DNS_SERVERS}</c> placeholders (and a Proxmox VM's <c>ipconfig0</c>).</summary>
    public StaticNetworkSpec? Network { get; init; }

    /// <summary>
    /// Set for a VM on Proxmox VE (<c>hosts.NAME.proxmox</c>), null for a Hetzner Cloud server. A Proxmox host has no
    /// image, server type or location of its own: <see cref="Image"/> names its template, <see cref="ServerType"/> is
    /// <c>proxmox</c> and <see cref="Location"/> its node (or empty: the template's node).
    /// </summary>
    public ProxmoxPlacement? Proxmox { get; init; }

    /// <summary>
    /// The converge command after defaults: <see cref="Converge"/>, or when a flake is set <see cref="NixosRebuild"/>'s
    /// <c>nixos-rebuild switch --flake REF#NAME</c> (with <c>--impure</c> when <see cref="Impure"/>), else null. The
    /// loader refuses a flake that cannot make that command.
    /// </summary>
    public string? EffectiveConverge =>
        Converge ?? (Flake is null ? null : NixosRebuild.Switch(Flake, Name, Impure).CommandLine);
}
