using System.Globalization;
using System.Text.RegularExpressions;
using Drover.Hcloud.Labels;

namespace Drover.Cli.Commands;

/// <summary>Parsers for option values; errors name the option and the bad part.</summary>
internal static partial class Parsing
{
    [GeneratedRegex(@"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")]
    private static partial Regex DurationPattern();

    /// <summary>Durations such as <c>90s</c>, <c>30m</c>, <c>1h30m</c>, <c>2d</c>.</summary>
    public static TimeSpan Duration(string option, string text)
    {
        var m = DurationPattern().Match(text.Trim());
        if (!m.Success || text.Trim().Length == 0)
        {
            throw new UsageException($"{option}: '{text}' is not a duration (use e.g. 90s, 30m, 1h30m, 2d)");
        }
        int Part(int i) => m.Groups[i].Success ? int.Parse(m.Groups[i].Value, CultureInfo.InvariantCulture) : 0;
        var span = new TimeSpan(Part(1), Part(2), Part(3), Part(4));
        return span > TimeSpan.Zero ? span : throw new UsageException($"{option}: the duration must be positive");
    }

    /// <summary><c>k=v,k2=v2</c> (or repeated options) into labels, validated.</summary>
    public static Dictionary<string, string> Labels(string option, IEnumerable<string> values)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var (key, value) = eq < 0 ? (pair, "") : (pair[..eq], pair[(eq + 1)..]);
            if (LabelValidation.KeyProblem(key) is { } kp)
            {
                throw new UsageException($"{option}: '{pair}': {kp}");
            }
            if (LabelValidation.ValueProblem(value) is { } vp)
            {
                throw new UsageException($"{option}: '{pair}': {vp}");
            }
            labels[key] = value;
        }
        return labels;
    }
}
