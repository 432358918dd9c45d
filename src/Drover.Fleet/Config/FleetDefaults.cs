namespace Drover.Fleet.Config;

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

    /// <summary>
    /// Whether the default converge command evaluates impurely (<c>nixos-rebuild ... --impure</c>) unless a host says
    /// otherwise; null when <c>defaults</c> does not say.
    /// </summary>
    public bool? Impure { get; init; }

    /// <summary>Where <c>drover secrets sync</c> puts a host's bundle (default <c>/var/lib/drover/secrets</c>).</summary>
    public string? SecretsPath { get; init; }

    /// <summary>The private key <c>server update apply</c> and <c>secrets sync</c> log in with (<c>ssh -i</c>); unset: ssh's own defaults.</summary>
    public string? IdentityFile { get; init; }
}
