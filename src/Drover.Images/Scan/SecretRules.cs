using System.Text.RegularExpressions;
using Drover.Images.Build;

namespace Drover.Images.Scan;

/// <summary>The scanner's rules, each a pure function of a file's path inside the image and its text.</summary>
internal static partial class SecretRules
{
    /// <summary>A private key header followed by a base64 body line (a bare header inside a parser's source is no key).</summary>
    [GeneratedRegex(@"-----BEGIN ((?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----\r?\n(?:[A-Za-z-]+:[^\n]*\n)*\r?\n?[A-Za-z0-9+/=]{16,}")]
    private static partial Regex PrivateKeyPattern();

    [GeneratedRegex(@"^/etc/ssh/ssh_host_[a-z0-9]+_key$")]
    private static partial Regex SshHostKeyPattern();

    [GeneratedRegex(@"\bHCLOUD_TOKEN\s*[=:]\s*['""]?([A-Za-z0-9]{32,})")]
    private static partial Regex HcloudEnvPattern();

    /// <summary>The hcloud CLI's <c>cli.toml</c>: <c>token = "..."</c> in a context.</summary>
    [GeneratedRegex(@"^\s*token\s*=\s*""([A-Za-z0-9]{32,})""", RegexOptions.Multiline)]
    private static partial Regex HcloudConfigPattern();

    [GeneratedRegex(@"\b((?:AKIA|ASIA)[0-9A-Z]{16})\b")]
    private static partial Regex AwsKeyPattern();

    [GeneratedRegex(@"\b(gh[pousr]_[A-Za-z0-9]{36,})\b")]
    private static partial Regex GitHubTokenPattern();

    [GeneratedRegex(@"\b(api[_-]?key|secret|token)\s*[:=]\s*['""]?([A-Za-z0-9_\-]{20,})", RegexOptions.IgnoreCase)]
    private static partial Regex GenericTokenPattern();

    /// <summary>Directories whose files document things (examples there are not secrets).</summary>
    private static readonly string[] _documentation = ["/usr/share/doc/", "/usr/share/man/", "/usr/share/info/", "/usr/share/help/", "/usr/share/gtk-doc/"];

    /// <summary>
    /// Code and data shipped by the distribution's packages: the loose generic <c>token=</c> rule skips them (docstrings
    /// such as oauthlib's RFC 6749 examples are full of sample tokens). Keys, hcloud/AWS/GitHub tokens and hashes are
    /// still looked for there; everything a build adds (/etc, /root, /home, /opt, /srv, /var, /usr/local) gets every rule.
    /// </summary>
    private static readonly string[] _distributionCode = ["/usr/lib/", "/usr/share/", "/usr/include/", "/lib/", "/usr/bin/", "/usr/sbin/"];

    /// <summary>Shadow password fields that hold no hash: empty, locked or disabled.</summary>
    private static readonly HashSet<string> _noHash = new(StringComparer.Ordinal) { "", "*", "!", "!*", "!!", "x", "*LK*" };

    public static bool IsSshHostKey(string imagePath) => SshHostKeyPattern().IsMatch(imagePath);

    public static IEnumerable<ScanFinding> PrivateKeys(string imagePath, string text)
    {
        if (!text.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            yield break;
        }
        foreach (Match m in PrivateKeyPattern().Matches(text))
        {
            yield return new ScanFinding(imagePath, "private-key", $"{m.Groups[1].Value} (line {LineOf(text, m.Index)})");
        }
    }

    public static IEnumerable<ScanFinding> ShadowHashes(string imagePath, string text)
    {
        var lineNumber = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNumber++;
            var fields = line.TrimEnd('\r').Split(':');
            if (fields.Length < 2 || fields[0].Length == 0 || _noHash.Contains(fields[1]))
            {
                continue;
            }
            var locked = fields[1].StartsWith('!') ? " (locked, but the hash is still there)" : "";
            yield return new ScanFinding(imagePath, "password-hash", $"user '{fields[0]}' has a password hash{locked} (line {lineNumber}); lock it with '*' or '!'");
        }
    }

    public static IEnumerable<ScanFinding> Tokens(string imagePath, string text)
    {
        var reported = new HashSet<int>();
        foreach (Match m in HcloudEnvPattern().Matches(text))
        {
            reported.Add(LineOf(text, m.Index));
            yield return new ScanFinding(imagePath, "api-token", $"Hetzner Cloud token (HCLOUD_TOKEN, line {LineOf(text, m.Index)})");
        }
        foreach (Match m in HcloudConfigPattern().Matches(text))
        {
            if (reported.Add(LineOf(text, m.Index)))
            {
                yield return new ScanFinding(imagePath, "api-token", $"token in a hcloud CLI style config (line {LineOf(text, m.Index)})");
            }
        }
        foreach (Match m in AwsKeyPattern().Matches(text))
        {
            if (!m.Value.EndsWith("EXAMPLE", StringComparison.Ordinal) && reported.Add(LineOf(text, m.Index)))
            {
                yield return new ScanFinding(imagePath, "api-token", $"AWS access key ID {m.Value[..4]}… (line {LineOf(text, m.Index)})");
            }
        }
        foreach (Match m in GitHubTokenPattern().Matches(text))
        {
            if (reported.Add(LineOf(text, m.Index)))
            {
                yield return new ScanFinding(imagePath, "api-token", $"GitHub token {m.Value[..4]}… (line {LineOf(text, m.Index)})");
            }
        }
        if (IsDocumentation(imagePath) || _distributionCode.Any(d => imagePath.StartsWith(d, StringComparison.Ordinal)))
        {
            yield break;
        }
        foreach (Match m in GenericTokenPattern().Matches(text))
        {
            if (LooksRandom(m.Groups[2].Value) && reported.Add(LineOf(text, m.Index)))
            {
                yield return new ScanFinding(imagePath, "api-token", $"'{m.Groups[1].Value}' with a token-like value (line {LineOf(text, m.Index)})");
            }
        }
    }

    private static bool IsDocumentation(string imagePath)
        => _documentation.Any(d => imagePath.StartsWith(d, StringComparison.Ordinal))
            || imagePath.EndsWith(".md", StringComparison.OrdinalIgnoreCase)
            || imagePath.EndsWith(".rst", StringComparison.OrdinalIgnoreCase)
            || imagePath.EndsWith(".html", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A value that reads like a generated token rather than a name: letters and digits mixed, not an
    /// <c>UPPER_CASE_IDENTIFIER</c> or a <c>word-word-word</c> phrase.
    /// </summary>
    internal static bool LooksRandom(string value)
    {
        var digits = value.Count(char.IsAsciiDigit);
        var letters = value.Count(char.IsAsciiLetter);
        if (digits < 2 || letters < 4)
        {
            return false;
        }
        var separators = value.Count(c => c is '_' or '-');
        if (separators * 6 > value.Length)
        {
            return false;
        }
        return value.Distinct().Count() >= 10;
    }

    private static int LineOf(string text, int index) => text.AsSpan(0, index).Count('\n') + 1;
}
