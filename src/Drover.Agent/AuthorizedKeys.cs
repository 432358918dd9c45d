namespace Drover.Agent;

/// <summary>Merges keys into an <c>authorized_keys</c> file: existing lines stay, a key already present (same type and blob) is not added twice.</summary>
internal static class AuthorizedKeys
{
    public static (string Content, int Added) Merge(string? existing, IEnumerable<string> keys)
    {
        var lines = (existing ?? "").Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        var present = lines.Select(Identity).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var added = 0;
        foreach (var key in keys.Select(k => k.Trim()).Where(k => k.Length > 0 && !k.Contains('\n', StringComparison.Ordinal)))
        {
            if (present.Add(Identity(key) ?? key))
            {
                lines.Add(key);
                added++;
            }
        }

        return (lines.Count == 0 ? "" : string.Join('\n', lines) + "\n", added);
    }

    /// <summary>"type blob" of a key line, skipping options before the type; null for comments and blank lines.</summary>
    private static string? Identity(string line)
    {
        var trimmed = line.Trim();
        if (trimmed.Length == 0 || trimmed[0] == '#')
        {
            return null;
        }

        var fields = trimmed.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i + 1 < fields.Length; i++)
        {
            if (fields[i].StartsWith("ssh-", StringComparison.Ordinal) || fields[i].StartsWith("ecdsa-", StringComparison.Ordinal)
                || fields[i].StartsWith("sk-", StringComparison.Ordinal))
            {
                return fields[i] + " " + fields[i + 1];
            }
        }

        return trimmed;
    }
}
