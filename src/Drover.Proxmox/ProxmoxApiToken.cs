using System.Text.RegularExpressions;

namespace Drover.Proxmox;

/// <summary>
/// A Proxmox VE API token: the token id <c>USER@REALM!TOKENID</c> and its secret, sent as
/// <c>Authorization: PVEAPIToken=USER@REALM!TOKENID=SECRET</c>. <see cref="ToString"/> never shows the secret.
/// </summary>
public sealed partial record ProxmoxApiToken
{
    public ProxmoxApiToken(string tokenId, string secret)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tokenId);
        ArgumentException.ThrowIfNullOrWhiteSpace(secret);
        var match = TokenIdPattern().Match(tokenId);
        if (!match.Success)
        {
            throw new ProxmoxConfigurationException(
                $"API token id '{tokenId}' is not of the form USER@REALM!TOKENID (for example root@pam!drover)");
        }
        if (secret.Any(c => char.IsWhiteSpace(c) || c == ';' || char.IsControl(c)))
        {
            throw new ProxmoxConfigurationException($"the secret of API token '{tokenId}' contains whitespace, ';' or control characters");
        }
        TokenId = tokenId;
        User = match.Groups["user"].Value;
        Realm = match.Groups["realm"].Value;
        TokenName = match.Groups["token"].Value;
        Secret = secret;
    }

    /// <summary>The full token id, <c>USER@REALM!TOKENID</c>.</summary>
    public string TokenId { get; }

    /// <summary>The user part, without the realm.</summary>
    public string User { get; }

    public string Realm { get; }

    /// <summary>The token's own name (after <c>!</c>).</summary>
    public string TokenName { get; }

    /// <summary>The secret (a UUID on real Proxmox). Never logged.</summary>
    public string Secret { get; }

    /// <summary>
    /// Parses <c>USER@REALM!TOKENID=SECRET</c>, with or without the <c>PVEAPIToken=</c> prefix (the form Proxmox
    /// shows and <c>PROXMOX_VE_API_TOKEN</c> holds). The id and the secret are split at the last <c>=</c>, as the
    /// server does.
    /// </summary>
    public static ProxmoxApiToken Parse(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        var text = value.Trim();
        if (text.StartsWith("PVEAPIToken=", StringComparison.Ordinal))
        {
            text = text["PVEAPIToken=".Length..];
        }
        var split = text.LastIndexOf('=');
        if (split <= 0 || split == text.Length - 1)
        {
            throw new ProxmoxConfigurationException("API token is not of the form USER@REALM!TOKENID=SECRET");
        }
        return new ProxmoxApiToken(text[..split], text[(split + 1)..]);
    }

    /// <summary>The <c>Authorization</c> header value.</summary>
    internal string HeaderValue => $"PVEAPIToken={TokenId}={Secret}";

    /// <summary>The token id only: the secret is never printed.</summary>
    public override string ToString() => $"{TokenId}=<redacted>";

    [GeneratedRegex(@"^(?<user>[^\s:/@!]+)@(?<realm>[A-Za-z][A-Za-z0-9\.\-_]+)!(?<token>[A-Za-z][A-Za-z0-9\.\-_]+)$")]
    private static partial Regex TokenIdPattern();
}
