namespace Drover.Core.Ssh;

/// <summary>How <c>ssh</c> connects; the defaults suit servers Drover creates (keys trusted on first use).</summary>
public sealed record SshOptions
{
    /// <summary>
    /// The known_hosts file host keys are trusted into on first use (<c>accept-new</c>); the user's own when null.
    /// </summary>
    public string? KnownHostsFile { get; init; }

    /// <summary>Whether the system-wide known_hosts is ignored (a throwaway machine with a key of its own each boot).</summary>
    public bool IgnoreGlobalKnownHosts { get; init; }

    /// <summary>How long one connection attempt may take.</summary>
    public int ConnectTimeoutSeconds { get; init; } = 15;

    /// <summary>Ciphers in order of preference (<c>-o Ciphers=</c>); OpenSSH's own choice when null.</summary>
    public string? Ciphers { get; init; }

    /// <summary>AES-GCM first (the fastest with AES-NI), then OpenSSH's defaults: for bulk transfers.</summary>
    public const string FastCiphers = "aes128-gcm@openssh.com,chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-ctr";
}
