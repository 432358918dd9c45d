namespace Drover.Fleet.Config;

/// <summary>Suggests the key a user probably meant (<c>server_tpye</c> → <c>server_type</c>).</summary>
internal static class TypoSuggester
{
    /// <summary>The closest of <paramref name="candidates"/> to <paramref name="key"/>, if it is close enough to be a typo.</summary>
    public static string? DidYouMean(string key, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var c in candidates)
        {
            var d = Distance(key, c);
            if (d < bestDistance)
            {
                (best, bestDistance) = (c, d);
            }
        }
        return best is not null && bestDistance <= Math.Max(1, Math.Min(key.Length, best.Length) / 3) ? best : null;
    }

    /// <summary>Edit distance counting insertions, deletions, substitutions and swaps of neighbours as one each.</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }
        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }
        return d[a.Length, b.Length];
    }
}
