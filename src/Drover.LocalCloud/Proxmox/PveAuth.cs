using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Drover.LocalCloud.Proxmox;

/// <summary>
/// Authentication as PVE does it: the API token header <c>PVEAPIToken=USER@REALM!TOKENID=SECRET</c> (split on the last
/// <c>=</c>), or a ticket from <c>POST /access/ticket</c> in the cookie <c>PVEAuthCookie</c> (or the Authorization
/// header) plus <c>CSRFPreventionToken</c> on every non-GET request. Tickets are valid two hours and signed with the
/// node's key (HMAC-SHA256 here, where PVE signs with RSA).
/// </summary>
internal sealed class PveAuth(PveCredentials credentials, TimeProvider time)
{
    public const string RootUser = "root@pam";
    private static readonly TimeSpan _ticketLifetime = TimeSpan.FromHours(2);

    /// <summary>The user a request authenticates as, whether it used a ticket, or the reason it does not authenticate.</summary>
    public (string? User, bool Ticket, string? Problem) Authenticate(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (TokenValue(header) is { } token)
        {
            var at = token.LastIndexOf('=');
            if (at < 0)
            {
                return (null, false, "authentication failure");
            }
            var (id, secret) = (token[..at], token[(at + 1)..]);
            var ok = id == PveCredentials.TokenId && FixedEquals(secret, credentials.TokenSecret);
            return ok ? (RootUser, false, null) : (null, false, "authentication failure");
        }
        var ticket = request.Cookies["PVEAuthCookie"];
        if (ticket is null && header.StartsWith("PVEAuthCookie=", StringComparison.Ordinal))
        {
            ticket = header["PVEAuthCookie=".Length..];
        }
        if (ticket is null)
        {
            return (null, false, "No ticket");
        }
        return VerifyTicket(Uri.UnescapeDataString(ticket)) is { } user ? (user, true, null) : (null, true, "authentication failure");
    }

    /// <summary>Whether the CSRF token fits the ticket's user (non-GET requests with a ticket).</summary>
    public bool VerifyCsrf(string user, string? token)
    {
        if (token is null || token.Split(':') is not [var stamp, var signature] || !TryStamp(stamp, out var issued) || Expired(issued))
        {
            return false;
        }
        return FixedEquals(signature, Sign($"CSRF:{stamp}:{user}"));
    }

    /// <summary>A ticket and CSRF token for <paramref name="username"/>, or null when the password is wrong.</summary>
    public (string Ticket, string Csrf)? Login(string username, string? realm, string password)
    {
        var user = username.Contains('@', StringComparison.Ordinal) ? username : $"{username}@{realm ?? "pam"}";
        if (user != RootUser || !FixedEquals(password, credentials.RootPassword))
        {
            return null;
        }
        var stamp = time.GetUtcNow().ToUnixTimeSeconds().ToString("X8", CultureInfo.InvariantCulture);
        var data = $"PVE:{user}:{stamp}";
        return ($"{data}::{Sign(data)}", $"{stamp}:{Sign($"CSRF:{stamp}:{user}")}");
    }

    private string? VerifyTicket(string ticket)
    {
        var split = ticket.IndexOf("::", StringComparison.Ordinal);
        if (split < 0)
        {
            return null;
        }
        var (data, signature) = (ticket[..split], ticket[(split + 2)..]);
        if (data.Split(':') is not ["PVE", var user, var stamp] || !TryStamp(stamp, out var issued) || Expired(issued) || !FixedEquals(signature, Sign(data)))
        {
            return null;
        }
        return user;
    }

    /// <summary>The value after <c>PVEAPIToken=</c> or <c>PVEAPIToken </c> up to a <c>;</c>, URI-unescaped (pve-http-server's extract_auth_value).</summary>
    private static string? TokenValue(string header)
    {
        const string Key = "PVEAPIToken";
        if (!header.StartsWith(Key, StringComparison.Ordinal) || header.Length <= Key.Length || header[Key.Length] is not ('=' or ' '))
        {
            return null;
        }
        var value = header[(Key.Length + 1)..];
        var end = value.IndexOf(';', StringComparison.Ordinal);
        return Uri.UnescapeDataString(end < 0 ? value : value[..end]);
    }

    private static bool TryStamp(string stamp, out DateTimeOffset issued)
    {
        issued = default;
        if (!long.TryParse(stamp, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }
        issued = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return true;
    }

    private bool Expired(DateTimeOffset issued) => time.GetUtcNow() - issued > _ticketLifetime || issued - time.GetUtcNow() > TimeSpan.FromMinutes(5);

    private string Sign(string data) => Convert.ToBase64String(HMACSHA256.HashData(credentials.TicketKey, Encoding.UTF8.GetBytes(data)));

    private static bool FixedEquals(string a, string b)
        => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
