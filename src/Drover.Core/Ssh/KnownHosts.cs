using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Drover.Core.Ssh;

/// <summary>
/// Drover's own OpenSSH <c>known_hosts</c>: host keys are trusted on first use (<c>accept-new</c>), and forgotten when
/// Drover deletes the server behind an address, so that a later server on the same address (a replaced host, a local
/// cloud that hands the address out again) is trusted afresh instead of refused as a changed key.
/// </summary>
public static class KnownHosts
{
    /// <summary>
    /// Removes every entry for <paramref name="addresses"/> on <paramref name="port"/> from <paramref name="file"/>: plain
    /// (<c>ADDR</c>, <c>[ADDR]:PORT</c>) and hashed (<c>|1|salt|hash</c>, as with <c>HashKnownHosts yes</c>) host
    /// patterns alike; <c>@cert-authority</c> and <c>@revoked</c> lines stay. The file is replaced atomically; a missing
    /// file is nothing to do. Returns how many entries were removed.
    /// </summary>
    public static int Forget(string file, IEnumerable<string> addresses, int port = 22)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(addresses);
        var names = addresses.Where(a => !string.IsNullOrWhiteSpace(a))
            .Select(a => port == 22 ? a.Trim() : string.Create(CultureInfo.InvariantCulture, $"[{a.Trim()}]:{port}"))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (names.Count == 0 || !File.Exists(file))
        {
            return 0;
        }
        var text = File.ReadAllText(file);
        var newline = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var kept = lines.Where(l => !Matches(l, names)).ToList();
        var removed = lines.Count - kept.Count;
        if (removed == 0)
        {
            return 0;
        }
        Files.AtomicFile.WriteAllText(file, string.Join(newline, kept));
        return removed;
    }

    /// <summary>Whether a known_hosts line names one of <paramref name="names"/> (comments, blanks and markers never do).</summary>
    private static bool Matches(string line, HashSet<string> names)
    {
        var trimmed = line.TrimStart();
        if (trimmed.Length == 0 || trimmed[0] == '#' || trimmed[0] == '@')
        {
            return false;
        }
        var end = trimmed.IndexOfAny([' ', '\t']);
        var patterns = (end < 0 ? trimmed : trimmed[..end]).Split(',');
        return patterns.Any(p => p.StartsWith("|1|", StringComparison.Ordinal) ? HashedMatches(p, names) : names.Contains(p));
    }

    /// <summary>A hashed pattern is <c>|1|base64(salt)|base64(HMAC-SHA1(salt, name))</c>.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350:Do not use weak cryptographic algorithms",
        Justification = "OpenSSH's hashed known_hosts format is defined with HMAC-SHA1; this only matches existing entries.")]
    private static bool HashedMatches(string pattern, HashSet<string> names)
    {
        var parts = pattern.Split('|');
        if (parts.Length != 4)
        {
            return false;
        }
        try
        {
            var salt = Convert.FromBase64String(parts[2]);
            var hash = Convert.FromBase64String(parts[3]);
            return names.Any(n => CryptographicOperations.FixedTimeEquals(HMACSHA1.HashData(salt, Encoding.ASCII.GetBytes(n)), hash));
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
