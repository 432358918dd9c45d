using System.Globalization;
using Drover.Core.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Drover.CloudInit;

/// <summary>Small YAML helpers: scalars that keep their string type, quoting, and saving a node tree.</summary>
internal static class YamlText
{
    /// <summary>A string scalar: plain when that reads back as the same string, double-quoted otherwise.</summary>
    public static YamlScalarNode Str(string value) =>
        new(value) { Style = YamlQuote.IsPlainSafe(value) ? ScalarStyle.Any : ScalarStyle.DoubleQuoted };

    /// <summary>A multi-line string as a literal block when the emitter can, else quoted.</summary>
    public static YamlScalarNode Block(string value) => new(value) { Style = ScalarStyle.Literal };

    public static YamlScalarNode Bool(bool value) => new(value ? "true" : "false") { Style = ScalarStyle.Plain };

    public static YamlSequenceNode StrList(IEnumerable<string> values) => new(values.Select(Str));

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
}
