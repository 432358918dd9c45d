namespace Drover.Images.Build;

/// <summary>The apt sources the machine is configured with (deb822 <c>*.sources</c> and one-line <c>sources.list</c>), as (URI, suite) pairs.</summary>
public static class AptSources
{
    /// <summary>Used when the machine has no apt configuration at all.</summary>
    public const string FallbackMirror = "http://deb.debian.org/debian";

    /// <summary>Every configured <c>deb</c> (URI, suite) pair, in file order.</summary>
    public static IReadOnlyList<(string Uri, string Suite)> Configured(string root = "/")
    {
        var pairs = new List<(string, string)>();
        var dir = Path.Combine(root, "etc/apt/sources.list.d");
        var files = Directory.Exists(dir) ? Directory.GetFiles(dir).Order(StringComparer.Ordinal).ToList() : [];
        var list = Path.Combine(root, "etc/apt/sources.list");
        if (File.Exists(list))
        {
            files.Insert(0, list);
        }
        foreach (var file in files)
        {
            if (file.EndsWith(".sources", StringComparison.Ordinal))
            {
                pairs.AddRange(Deb822(File.ReadAllText(file)));
            }
            else if (file.EndsWith(".list", StringComparison.Ordinal))
            {
                pairs.AddRange(OneLine(File.ReadAllLines(file)));
            }
        }
        return pairs;
    }

    /// <summary>
    /// The sources for a bootstrap of <paramref name="suite"/>: the configured entries for the suite and its
    /// <c>-updates</c>/<c>-security</c> companions, or the configured (or given) mirror's main suite alone.
    /// </summary>
    public static IReadOnlyList<string> ForSuite(string suite, string? mirror = null, string root = "/")
    {
        ArgumentException.ThrowIfNullOrEmpty(suite);
        var configured = Configured(root);
        if (mirror is null)
        {
            var matching = configured.Where(p => p.Suite == suite || p.Suite == suite + "-updates" || p.Suite == suite + "-security").ToList();
            if (matching.Any(p => p.Suite == suite))
            {
                return [.. matching.Select(p => $"deb {p.Uri} {p.Suite} main")];
            }
            mirror = configured.FirstOrDefault(p => !p.Uri.Contains("security", StringComparison.Ordinal)).Uri ?? FallbackMirror;
        }
        return [$"deb {mirror.TrimEnd('/')} {suite} main"];
    }

    private static IEnumerable<(string, string)> Deb822(string text)
    {
        foreach (var stanza in text.Replace("\r", "", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var line in stanza.Split('\n'))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (line.StartsWith('#') || colon <= 0 || char.IsWhiteSpace(line[0]))
                {
                    continue;
                }
                fields[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
            if (!fields.TryGetValue("Types", out var types) || !types.Split(' ').Contains("deb")
                || (fields.TryGetValue("Enabled", out var enabled) && enabled == "no")
                || !fields.TryGetValue("URIs", out var uris) || !fields.TryGetValue("Suites", out var suites))
            {
                continue;
            }
            foreach (var uri in uris.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                foreach (var suite in suites.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    yield return (uri.TrimEnd('/'), suite);
                }
            }
        }
    }

    private static IEnumerable<(string, string)> OneLine(IEnumerable<string> lines)
    {
        foreach (var raw in lines)
        {
            var line = raw.Split('#')[0].Trim();
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => !w.StartsWith('[')).ToArray();
            if (words.Length >= 3 && words[0] == "deb")
            {
                yield return (words[1].TrimEnd('/'), words[2]);
            }
        }
    }
}
