namespace Drover.Agent;

/// <summary>The <c>/etc/hosts</c> line for the hostname (Debian's <c>127.0.1.1</c> convention), other lines kept.</summary>
internal static class HostsFile
{
    public const string Address = "127.0.1.1";

    private const string DefaultHosts = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n";

    public static string Update(string? existing, string hostname)
    {
        var lines = (existing ?? DefaultHosts).Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        var dot = hostname.IndexOf('.', StringComparison.Ordinal);
        var entry = dot > 0 ? $"{Address}\t{hostname} {hostname[..dot]}" : $"{Address}\t{hostname}";
        var index = lines.FindIndex(IsOurs);
        lines.RemoveAll(IsOurs);
        lines.Insert(index < 0 ? Math.Min(1, lines.Count) : Math.Min(index, lines.Count), entry);
        return string.Join('\n', lines) + "\n";
    }

    private static bool IsOurs(string line)
    {
        var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 0 && fields[0] == Address;
    }
}
