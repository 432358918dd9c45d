namespace Drover.CloudInit;

/// <summary>Everything user-data for one host is rendered from. No cloud code: the fleet maps its hosts onto this.</summary>
public sealed record UserDataInput
{
    /// <summary>The short host name (<c>${HOSTNAME}</c>).</summary>
    public required string Hostname { get; init; }

    /// <summary><c>${DOMAIN}</c>; with it the FQDN is <c>HOSTNAME.DOMAIN</c>.</summary>
    public string? Domain { get; init; }

    /// <summary><c>${ADMIN_USER}</c>: a user with passwordless sudo and the authorized keys.</summary>
    public string? AdminUser { get; init; }

    /// <summary><c>${SSH_AUTHORIZED_KEYS}</c>, OpenSSH public keys.</summary>
    public IReadOnlyList<string> SshAuthorizedKeys { get; init; } = [];

    /// <summary>Groups of the admin user in the structured form (Debian's <c>sudo</c>; NixOS would use <c>wheel</c>).</summary>
    public IReadOnlyList<string> AdminGroups { get; init; } = ["sudo"];

    /// <summary><c>${FLAKE_REF}</c>; written to <c>/etc/nix-flake-target</c> by the structured form.</summary>
    public string? FlakeRef { get; init; }

    /// <summary>The converge command the one-shot bootstrap unit runs once; null: no unit.</summary>
    public string? ConvergeCommand { get; init; }

    /// <summary>
    /// Whether the host's NixOS configuration is evaluated impurely (<c>nixos-rebuild ... --impure</c>): the structured
    /// form says so to drover-agent as <c>drover: {impure: true}</c>, for when the agent makes the command itself.
    /// </summary>
    public bool Impure { get; init; }

    /// <summary>Static addressing for <c>${NETWORK_INTERFACE} ${STATIC_IP} ${CIDR} ${GATEWAY} ${DNS_SERVERS}</c>.</summary>
    public StaticNetwork? Network { get; init; }

    /// <summary>Extra placeholders beyond the built-in ones (name without <c>${}</c>).</summary>
    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>();

    /// <summary>Templates, each one part. Empty: one structured cloud-config part built from the settings above.</summary>
    public IReadOnlyList<UserDataTemplate> Templates { get; init; } = [];
}

/// <summary>A template's text and where it came from (for error messages: <c>web.yaml:3:9</c>).</summary>
public sealed record UserDataTemplate(string SourceName, string Text);

/// <summary>Static addressing of one interface.</summary>
public sealed record StaticNetwork
{
    public string Interface { get; init; } = "eth0";

    /// <summary>The address without prefix (<c>${STATIC_IP}</c>).</summary>
    public required string Address { get; init; }

    /// <summary>The prefix length (<c>${CIDR}</c>), e.g. 24.</summary>
    public required int PrefixLength { get; init; }

    public string? Gateway { get; init; }

    public IReadOnlyList<string> DnsServers { get; init; } = [];
}
