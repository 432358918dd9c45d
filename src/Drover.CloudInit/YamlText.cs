using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Drover.CloudInit;

/// <summary>Small YAML helpers: scalars that keep their string type, quoting, and saving a node tree.</summary>
internal static partial class YamlText
{
    /// <summary>A string scalar: plain when that reads back as the same string, double-quoted otherwise.</summary>
    public static YamlScalarNode Str(string value) =>
        new(value) { Style = IsPlainSafe(value) ? ScalarStyle.Any : ScalarStyle.DoubleQuoted };

    /// <summary>A multi-line string as a literal block when the emitter can, else quoted.</summary>
    public static YamlScalarNode Block(string value) => new(value) { Style = ScalarStyle.Literal };

    public static YamlScalarNode Bool(bool value) => new(value ? "true" : "false") { Style = ScalarStyle.Plain };

    public static YamlSequenceNode StrList(IEnumerable<string> values) => new(values.Select(Str));

    /// <summary>A scalar for hand-written YAML: plain if safe, else a double-quoted string.</summary>
    public static string Quote(string value) => IsPlainSafe(value) ? value : DoubleQuote(value);

    public static string DoubleQuote(string value)
    {
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

    /// <summary>Saves a node tree as one YAML document without the document end marker.</summary>
    public static string Save(YamlNode root)
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var settings = EmitterSettings.Default.WithBestIndent(2).WithBestWidth(int.MaxValue).WithIndentedSequences();
        new YamlStream(new YamlDocument(root)).Save(new Emitter(writer, settings), assignAnchors: false);
        var text = writer.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
        const string End = "...\n";
        return text.EndsWith(End, StringComparison.Ordinal) ? text[..^End.Length] : text;
    }

    /// <summary>Parses YAML (all documents); throws YamlDotNet's <see cref="YamlException"/> on a syntax error.</summary>
    public static YamlStream Parse(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream;
    }

    // Starts with a character that cannot begin a plain scalar's indicator; no flow or comment characters.
    [GeneratedRegex(@"^[A-Za-z0-9_./+=~@(][^\x00-\x1f\x7f,\[\]{}""'`|>&*!%]*$")]
    private static partial Regex SafePlain();

    // Things YAML 1.1 (PyYAML, which cloud-init uses) would read as bool, null, number or timestamp.
    [GeneratedRegex(@"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~|[-+]?[0-9][0-9_.:a-fA-FxXoOeE+-]*|[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)|\d{4}-\d\d?-\d\d?.*)$")]
    private static partial Regex LooksTyped();
}
