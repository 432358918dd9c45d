using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Drover.Core.Text;

/// <summary>
/// Quoting for YAML written as text: a scalar stays plain when it reads back as the same string in YAML 1.1
/// (PyYAML, which cloud-init uses) and 1.2 alike, else it is double-quoted with escapes.
/// </summary>
public static partial class YamlQuote
{
    /// <summary>Plain if safe, else <see cref="DoubleQuote"/>d.</summary>
    public static string Quote(string value) => IsPlainSafe(value) ? value : DoubleQuote(value);

    /// <summary>A double-quoted scalar: quotes, backslashes and control characters escaped.</summary>
    public static string DoubleQuote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (char.IsControl(c))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }
                    break;
            }
        }
        return builder.Append('"').ToString();
    }

    /// <summary>Whether <paramref name="value"/> can stand as a plain scalar and still read back as that string (YAML 1.1 and 1.2).</summary>
    public static bool IsPlainSafe(string value) =>
        value.Length > 0
        && SafePlain().IsMatch(value)
        && !value.Contains(": ", StringComparison.Ordinal)
        && !value.Contains(" #", StringComparison.Ordinal)
        && !value.EndsWith(':')
        && !value.EndsWith(' ')
        && !LooksTyped().IsMatch(value);

    // Starts with a character that may begin a plain scalar (not an indicator such as @ or `); no flow or comment characters.
    [GeneratedRegex(@"^[A-Za-z0-9_./+=~(][^\x00-\x1f\x7f,\[\]{}""'`|>&*!%]*$")]
    private static partial Regex SafePlain();

    // Things YAML 1.1 would read as bool, null, number or timestamp.
    [GeneratedRegex(@"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~|[-+]?[0-9][0-9_.:a-fA-FxXoOeE+-]*|[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)|\d{4}-\d\d?-\d\d?.*)$")]
    private static partial Regex LooksTyped();
}
