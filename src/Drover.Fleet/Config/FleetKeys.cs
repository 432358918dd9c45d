namespace Drover.Fleet.Config;

/// <summary>
/// The keys each mapping of <c>drover.yaml</c> accepts. The loader refuses every other key, and a test checks that
/// <see cref="FleetSchema"/> lists exactly these, so the two cannot drift apart.
/// </summary>
public static class FleetKeys
{
    public const string Fleet = "fleet", Defaults = "defaults", Images = "images", Hosts = "hosts";

    public const string Location = "location", ServerType = "server_type", SshKeys = "ssh_keys", IdentityFile = "identity_file",
        Labels = "labels", AdminUser = "admin_user", Domain = "domain", Flake = "flake", Impure = "impure", SecretsPath = "secrets_path";

    public const string Name = "name", PublicKey = "public_key", PublicKeyFile = "public_key_file";

    public const string Id = "id", Selector = "selector", Architecture = "architecture";

    public const string Role = "role", Image = "image", ImageSelector = "image_selector", Networks = "networks", Firewalls = "firewalls",
        Volumes = "volumes", UserData = "user_data", Network = "network", TargetHost = "target_host", Converge = "converge";

    public const string Templates = "templates", Variables = "variables";

    public const string Interface = "interface", Address = "address", Gateway = "gateway", Dns = "dns";

    public const string Proxmox = "proxmox", Node = "node", Template = "template", Clone = "clone", Storage = "storage", Bridge = "bridge",
        Snippets = "snippets", VmId = "vmid", Cores = "cores", Memory = "memory";

    /// <summary>The top level.</summary>
    public static IReadOnlyList<string> Root { get; } = [Fleet, Defaults, Images, Hosts];

    /// <summary><c>defaults:</c>.</summary>
    public static IReadOnlyList<string> DefaultsKeys { get; } = [Location, ServerType, SshKeys, IdentityFile, Labels, AdminUser, Domain, Flake, Impure, SecretsPath];

    /// <summary>One entry of <c>defaults.ssh_keys</c>.</summary>
    public static IReadOnlyList<string> SshKeyKeys { get; } = [Name, PublicKey, PublicKeyFile];

    /// <summary>One entry of <c>images:</c>.</summary>
    public static IReadOnlyList<string> ImageKeys { get; } = [Name, Id, Selector, Architecture, Labels];

    /// <summary>One entry of <c>hosts:</c>.</summary>
    public static IReadOnlyList<string> HostKeys { get; } =
    [
        Role, Image, ImageSelector, Architecture, ServerType, Location, Labels, Networks, Firewalls, Volumes, UserData, Network,
        Flake, Impure, AdminUser, Domain, TargetHost, Converge, SecretsPath, Proxmox,
    ];

    /// <summary><c>hosts.NAME.proxmox</c>.</summary>
    public static IReadOnlyList<string> ProxmoxKeys { get; } = [Node, Template, Clone, Storage, Bridge, Snippets, VmId, Cores, Memory];

    /// <summary>Keys of a host that only apply on Hetzner Cloud, refused for a Proxmox host.</summary>
    public static IReadOnlyList<string> HetznerOnlyHostKeys { get; } = [Image, ImageSelector, Architecture, ServerType, Location, Networks, Firewalls, Volumes];

    /// <summary><c>hosts.NAME.user_data</c>.</summary>
    public static IReadOnlyList<string> UserDataKeys { get; } = [Templates, Variables];

    /// <summary><c>hosts.NAME.network</c>.</summary>
    public static IReadOnlyList<string> NetworkKeys { get; } = [Interface, Address, Gateway, Dns];

    /// <summary>The architectures an image may declare.</summary>
    public static IReadOnlyList<string> Architectures { get; } = ["x86", "arm"];
}
