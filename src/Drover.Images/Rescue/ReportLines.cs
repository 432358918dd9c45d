namespace Drover.Images.Rescue;

/// <summary>The rescue scripts' report lines, <c>drover: WHAT key=value ...</c>, as <c>WHAT.key</c> → value (a later line wins).</summary>
public static class ReportLines
{
    public static Dictionary<string, string> Parse(string? stdout)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in (stdout ?? "").Split('\n'))
        {
            var words = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 3 || words[0] != "drover:")
            {
                continue;
            }
            foreach (var pair in words.Skip(2))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0)
                {
                    values[$"{words[1]}.{pair[..eq]}"] = pair[(eq + 1)..];
                }
            }
        }
        return values;
    }
}
