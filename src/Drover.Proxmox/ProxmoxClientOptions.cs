using System.Net;

namespace Drover.Proxmox;

/// <summary>
/// Settings of a <see cref="ProxmoxClient"/>: the endpoint, exactly one of <see cref="ApiToken"/> or
/// <see cref="Ticket"/>, and how the server's certificate is checked: by the system's trust store (default), by a
/// pinned <see cref="Fingerprint"/> (then the only check, so a self-signed certificate passes when it matches), or not
/// at all when <see cref="Insecure"/> is set explicitly.
/// </summary>
public sealed record ProxmoxClientOptions
{
    /// <summary>Proxmox's API port.</summary>
    public const int DefaultPort = 8006;

    /// <summary><c>https://host:8006</c>; the base path <c>/api2/json</c> is added unless the URL already ends in it.</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>API token auth (<c>PVEAPIToken=…</c>).</summary>
    public ProxmoxApiToken? ApiToken { get; init; }

    /// <summary>Ticket auth (user name and password; the client logs in on first use).</summary>
    public ProxmoxTicketCredentials? Ticket { get; init; }

    /// <summary>Pinned SHA-256 fingerprint of the server certificate; when set it is the only TLS check.</summary>
    public CertificateFingerprint? Fingerprint { get; init; }

    /// <summary>Accept any server certificate. Must be chosen explicitly; never combined with a fingerprint.</summary>
    public bool Insecure { get; init; }

    /// <summary>
    /// Allow <c>http://</c>, only towards 127.0.0.1 or [::1] (tests against an in-process server). Any other plain
    /// http endpoint is refused, with or without this.
    /// </summary>
    public bool AllowPlainHttp { get; init; }

    /// <summary>Product token of the User-Agent.</summary>
    public string UserAgent { get; init; } = "drover";

    /// <summary>Delay between two polls of a task's status.</summary>
    public TimeSpan TaskPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How many of a failed task's last log lines go into <see cref="ProxmoxTaskFailedException"/>.</summary>
    public int FailedTaskLogLines { get; init; } = 20;

    /// <summary>How often a GET that met a 502/503/504 or a broken connection is retried.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>First retry delay; doubles on each retry.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one HTTP attempt may take (an upload gets no such limit).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>A ticket is renewed after this long (Proxmox tickets live two hours).</summary>
    public TimeSpan TicketLifetime { get; init; } = TimeSpan.FromMinutes(100);

    /// <summary>Clock for every wait, poll, backoff and ticket age.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The API base, <c>https://host:port/api2/json/</c> (with the trailing slash).</summary>
    public Uri BaseAddress
    {
        get
        {
            var text = Endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/');
            if (!text.EndsWith("/api2/json", StringComparison.Ordinal))
            {
                text += "/api2/json";
            }
            return new Uri(text + "/");
        }
    }

    /// <summary>
    /// Checks that the settings are usable: one credential, an https endpoint (or http to loopback with
    /// <see cref="AllowPlainHttp"/>), not both a fingerprint and <see cref="Insecure"/>. Throws
    /// <see cref="ProxmoxConfigurationException"/> naming what is wrong.
    /// </summary>
    public void Validate()
    {
        if (Endpoint is null || !Endpoint.IsAbsoluteUri)
        {
            throw new ProxmoxConfigurationException($"Proxmox endpoint '{Endpoint}' is not an absolute URL like https://pve.example:8006");
        }
        if (Endpoint.Scheme == Uri.UriSchemeHttp)
        {
            var loopback = IPAddress.TryParse(Endpoint.Host.Trim('[', ']'), out var ip) && (ip.Equals(IPAddress.Loopback) || ip.Equals(IPAddress.IPv6Loopback));
            if (!(AllowPlainHttp && loopback))
            {
                throw new ProxmoxConfigurationException(
                    $"Proxmox endpoint {Endpoint} uses plain http: the Proxmox API only speaks https (use https://{Endpoint.Authority})");
            }
        }
        else if (Endpoint.Scheme != Uri.UriSchemeHttps)
        {
            throw new ProxmoxConfigurationException($"Proxmox endpoint {Endpoint} must be an https:// URL");
        }
        if ((ApiToken is null) == (Ticket is null))
        {
            throw new ProxmoxConfigurationException("Proxmox credentials: give either an API token or a user name and password (exactly one)");
        }
        if (Ticket is { } ticket && (string.IsNullOrWhiteSpace(ticket.Username) || string.IsNullOrEmpty(ticket.Password)))
        {
            throw new ProxmoxConfigurationException("Proxmox ticket auth needs a user name (e.g. root@pam) and a password");
        }
        if (Insecure && Fingerprint is not null)
        {
            throw new ProxmoxConfigurationException(
                $"choose either a pinned certificate fingerprint ({Fingerprint}) or insecure mode, not both");
        }
    }

    /// <summary>Who authenticates, for messages: the token id or the user name, never a secret.</summary>
    internal string Principal => ApiToken is { } token ? $"API token {token.TokenId}" : $"user {Ticket?.Username}";

    /// <summary>Shows no secret.</summary>
    public override string ToString()
        => $"ProxmoxClientOptions {{ Endpoint = {Endpoint}, Auth = {(ApiToken?.ToString() ?? Ticket?.ToString() ?? "none")}, " +
           $"Tls = {(Insecure ? "insecure" : Fingerprint is { } f ? "pinned " + f : "system")} }}";
}
