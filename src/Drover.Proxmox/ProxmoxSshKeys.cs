using System.Text;

namespace Drover.Proxmox;

/// <summary>
/// The <c>sshkeys</c> config value (format <c>urlencoded</c>): the keys, one per line, percent-encoded so that only
/// <c>[-%a-zA-Z0-9_.!~*'()]</c> remains (spaces, <c>+</c>, <c>/</c>, <c>=</c>, <c>@</c>, newlines all become
/// <c>%XX</c>). A form body then encodes the <c>%</c> a second time; Proxmox decodes both.
/// </summary>
public static class ProxmoxSshKeys
{
    /// <summary>Encodes <paramref name="keys"/> (one OpenSSH public key each; blank ones dropped, lines trimmed).</summary>
    public static string Encode(IEnumerable<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var joined = string.Join('\n', keys.SelectMany(k => k.Split('\n')).Select(k => k.Trim()).Where(k => k.Length > 0));
        var sb = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(joined))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '!' or '~' or '*' or '\'' or '(' or ')')
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return sb.ToString();
    }

    /// <summary>Decodes a value as <c>GET …/config</c> returns it (still encoded) into the keys.</summary>
    public static IReadOnlyList<string> Decode(string? value)
        => string.IsNullOrEmpty(value)
            ? []
            : Uri.UnescapeDataString(value).Split('\n').Select(k => k.Trim()).Where(k => k.Length > 0).ToList();
}
