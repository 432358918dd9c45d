using System.Globalization;

namespace Drover.Proxmox.Contracts;

/// <summary>
/// The cloud-init keys of a VM's config. Null leaves a key out; <see cref="ToString"/> never shows the password.
/// </summary>
public sealed record CloudInitOptions
{
    /// <summary><c>ciuser</c>.</summary>
    public string? User { get; init; }

    /// <summary><c>cipassword</c>. Never logged.</summary>
    public string? Password { get; init; }

    /// <summary><c>sshkeys</c>: OpenSSH public keys, encoded by <see cref="ProxmoxSshKeys.Encode"/>.</summary>
    public IReadOnlyList<string>? SshKeys { get; init; }

    /// <summary><c>ipconfigN</c> by interface index N (matching <c>netN</c>).</summary>
    public IReadOnlyDictionary<int, IpConfig>? IpConfigs { get; init; }

    /// <summary><c>nameserver</c> (space-separated on the wire).</summary>
    public IReadOnlyList<string>? Nameservers { get; init; }

    /// <summary><c>searchdomain</c>.</summary>
    public string? SearchDomain { get; init; }

    /// <summary><c>cicustom</c>.</summary>
    public CloudInitCustom? Custom { get; init; }

    /// <summary><c>citype</c>.</summary>
    public CloudInitType? Type { get; init; }

    /// <summary><c>ciupgrade</c> (Proxmox's default is on).</summary>
    public bool? Upgrade { get; init; }

    internal void AddTo(FormParameters form)
    {
        form.Add("ciuser", User)
            .Add("cipassword", Password)
            .Add("sshkeys", SshKeys is null ? null : ProxmoxSshKeys.Encode(SshKeys));
        foreach (var (index, config) in (IpConfigs ?? new Dictionary<int, IpConfig>()).OrderBy(p => p.Key))
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            form.Add("ipconfig" + index.ToString(CultureInfo.InvariantCulture), config.Format());
        }
        form.Add("nameserver", Nameservers is { Count: > 0 } ns ? string.Join(' ', ns) : null)
            .Add("searchdomain", SearchDomain)
            .Add("cicustom", Custom?.Format())
            .Add("citype", Type?.Value)
            .Add("ciupgrade", Upgrade);
    }

    public override string ToString()
        => $"CloudInitOptions {{ User = {User}, Password = {(Password is null ? "" : "<redacted>")}, SshKeys = {SshKeys?.Count ?? 0}, " +
           $"IpConfigs = {string.Join("; ", (IpConfigs ?? new Dictionary<int, IpConfig>()).Select(p => $"{p.Key}: {p.Value}"))}, " +
           $"Custom = {Custom}, Type = {Type} }}";
}
