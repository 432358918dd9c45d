using System.Text.RegularExpressions;
using Drover.Core.Text;

namespace Drover.Core.Nix;

/// <summary>
/// The command that converges a NixOS host from a flake: <c>nixos-rebuild switch --flake REF#HOST</c>, and with
/// <c>--impure</c> when the configuration reads files outside the Nix store while it is evaluated (the module
/// <c>drover.nixosModules.hcloud</c> reads <c>/etc/hcloud-metadata.json</c>, which drover-agent writes at first boot).
/// Drover's first-boot agent and the fleet's default converge command are both built here, so they cannot differ.
/// </summary>
/// <remarks>
/// <c>HOST</c> is the server's host name, which selects the attribute <c>nixosConfigurations."HOST"</c> of the flake:
/// nixos-rebuild splits <c>REF#HOST</c> at its last <c>#</c>, so <c>REF</c> must not contain one. The words are
/// <see cref="Arguments"/>; <see cref="CommandLine"/> is the same command quoted for <c>/bin/sh -c</c> (a flake
/// reference may hold <c>?</c> or <c>&amp;</c>, and <c>#</c> joins REF and HOST).
/// </remarks>
public sealed partial class NixosRebuild
{
    /// <summary>The program.</summary>
    public const string Program = "nixos-rebuild";

    /// <summary>The action: build the configuration, make it the boot default and activate it now.</summary>
    public const string SwitchAction = "switch";

    private NixosRebuild(string action, string flakeRef, string host, bool impure)
    {
        Action = action;
        FlakeRef = flakeRef;
        Host = host;
        Impure = impure;
        Arguments = impure
            ? [action, FlakeOption.Name, FlakeTarget, ImpureOption.Name]
            : [action, FlakeOption.Name, FlakeTarget];
    }

    /// <summary><c>--flake REF#HOST</c>: build <c>nixosConfigurations."HOST"</c> of the flake <c>REF</c>.</summary>
    public static NixosRebuildOption FlakeOption { get; } = new("--flake", 1, KnownToNixos2009: true,
        "build nixosConfigurations.\"HOST\" of the flake REF (REF#HOST)");

    /// <summary>
    /// <c>--impure</c>: evaluate the configuration impurely, so that it may read files outside the store (here
    /// <c>/etc/hcloud-metadata.json</c>, as nix-dabei's and jktr's images do). Newer than the NixOS 20.09 tree Drover
    /// tests against (nixpkgs 28fce082c8ca, July 2020): nixos-rebuild gained <c>--impure</c> later (nixpkgs pull
    /// request 99038, September 2020), and that tree's script rejects it with <c>unknown option `--impure'</c>.
    /// </summary>
    public static NixosRebuildOption ImpureOption { get; } = new("--impure", 0, KnownToNixos2009: false,
        "evaluate impurely: the configuration may read files outside the Nix store (/etc/hcloud-metadata.json)");

    /// <summary>Every option a command built here may contain, in the order they appear.</summary>
    public static IReadOnlyList<NixosRebuildOption> Options { get; } = [FlakeOption, ImpureOption];

    /// <summary>The action (<see cref="SwitchAction"/>).</summary>
    public string Action { get; }

    /// <summary>The flake reference, without <c>#</c> (<c>github:org/infra</c>, <c>git+https://host/infra?ref=main</c>).</summary>
    public string FlakeRef { get; }

    /// <summary>The host name; it selects <c>nixosConfigurations."HOST"</c>.</summary>
    public string Host { get; }

    /// <summary>Whether the command has <c>--impure</c>.</summary>
    public bool Impure { get; }

    /// <summary>The value of <c>--flake</c>: <c>REF#HOST</c>.</summary>
    public string FlakeTarget => $"{FlakeRef}#{Host}";

    /// <summary>The words after <see cref="Program"/>: <c>switch --flake REF#HOST</c>, then <c>--impure</c> when asked.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>The whole command as one line for <c>/bin/sh -c</c>, each word quoted where a shell needs it.</summary>
    public string CommandLine => ShellQuote.Join([Program, .. Arguments]);

    /// <summary>
    /// <c>nixos-rebuild switch --flake REF#HOST</c>, with <c>--impure</c> when <paramref name="impure"/>.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="flakeRef"/> is not a flake reference (see <see cref="FlakeRefProblem"/>) or
    /// <paramref name="host"/> is not a host name (see <see cref="HostProblem"/>).
    /// </exception>
    public static NixosRebuild Switch(string flakeRef, string host, bool impure = false)
    {
        if (FlakeRefProblem(flakeRef) is { } refProblem)
        {
            throw new ArgumentException(refProblem, nameof(flakeRef));
        }

        if (HostProblem(host) is { } hostProblem)
        {
            throw new ArgumentException(hostProblem, nameof(host));
        }

        return new NixosRebuild(SwitchAction, flakeRef, host, impure);
    }

    /// <summary>
    /// Why <paramref name="flakeRef"/> cannot be the <c>REF</c> of <c>REF#HOST</c> (empty, with whitespace or control
    /// characters, or with a <c>#</c> of its own), or null when it can. Callers that read it from a file report this
    /// with their own position.
    /// </summary>
    public static string? FlakeRefProblem(string? flakeRef)
    {
        if (string.IsNullOrEmpty(flakeRef))
        {
            return "the flake reference is empty";
        }

        if (flakeRef.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return $"flake reference '{flakeRef}' contains whitespace or control characters";
        }

        var hash = flakeRef.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? null
            : $"flake reference '{flakeRef}' names an attribute ('{flakeRef[hash..]}'): give the flake alone, the host name selects nixosConfigurations.HOST";
    }

    /// <summary>
    /// Why <paramref name="host"/> is not a host name (RFC 1123: letters, digits and <c>-</c> in labels of at most 63
    /// characters, separated by dots, 253 in all), or null when it is.
    /// </summary>
    public static string? HostProblem(string? host) =>
        host is not null && HostNameRegex().IsMatch(host) ? null
            : $"{(string.IsNullOrEmpty(host) ? "an empty host name" : $"'{host}'")} is not a valid host name "
                + "(letters, digits and '-' in dot-separated labels of at most 63 characters, not starting or ending with '-')";

    /// <inheritdoc/>
    public override string ToString() => CommandLine;

    [GeneratedRegex(@"^(?=.{1,253}\z)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\z")]
    private static partial Regex HostNameRegex();
}
