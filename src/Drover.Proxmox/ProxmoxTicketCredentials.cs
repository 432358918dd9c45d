namespace Drover.Proxmox;

/// <summary>
/// A user name and password for ticket auth (<c>POST /access/ticket</c>): the client logs in on first use, then sends
/// the ticket as the <c>PVEAuthCookie</c> cookie and the <c>CSRFPreventionToken</c> header on every non-GET request.
/// <see cref="ToString"/> never shows the password.
/// </summary>
public sealed record ProxmoxTicketCredentials
{
    /// <summary>User with realm, e.g. <c>root@pam</c>.</summary>
    public required string Username { get; init; }

    /// <summary>The password. Never logged.</summary>
    public required string Password { get; init; }

    /// <summary>Optional realm, when <see cref="Username"/> has none.</summary>
    public string? Realm { get; init; }

    public override string ToString() => $"{Username} (password <redacted>)";
}
