using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Drover.Agent;

/// <summary>
/// Parses YAML with YamlDotNet's node model (no reflection, trim-safe) and converts it to JSON: plain scalars become
/// numbers, booleans or null where YAML 1.2's core schema says so; quoted scalars stay strings.
/// </summary>
internal static partial class YamlJson
{
    /// <summary>The first document's root node, or null for an empty document.</summary>
    public static YamlNode? Parse(string text, string what)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            return stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
        }
        catch (YamlException e)
        {
            throw new AgentException($"{what} is not valid YAML (line {e.Start.Line}, column {e.Start.Column}): {e.Message}", e);
        }
    }

    public static JsonNode? ToJson(YamlNode? node) => node switch
    {
        null => null,
        YamlMappingNode map => ToObject(map),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(ToJson)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null, // aliases are resolved by the loader; anything else has no JSON form
    };

    /// <summary>A scalar's text (null when the node is missing, not a scalar, or a plain null).</summary>
    public static string? Text(YamlNode? node) =>
        node is YamlScalarNode { Value: { } value } scalar && !(IsPlain(scalar) && NullRegex().IsMatch(value)) ? value : null;

    public static YamlNode? Get(YamlNode? map, string key) =>
        map is YamlMappingNode m && m.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public static bool IsTrue(YamlNode? node) => Text(node) is "true" or "True" or "TRUE";

    /// <summary>
    /// A YAML boolean (a plain <c>true</c> or <c>false</c>, as YAML 1.2's core schema spells them): false when the node
    /// is something else (a quoted string, a number, a mapping); <paramref name="value"/> is null when it is missing or null.
    /// </summary>
    public static bool TryBool(YamlNode? node, out bool? value)
    {
        value = null;
        if (node is null || (node is YamlScalarNode scalar && IsPlain(scalar) && NullRegex().IsMatch(scalar.Value ?? "")))
        {
            return true;
        }

        if (node is YamlScalarNode { Value: { } text } plain && IsPlain(plain) && BoolRegex().IsMatch(text))
        {
            value = text[0] is 't' or 'T';
            return true;
        }

        return false;
    }

    /// <summary>How a node reads in a message: <c>'yes'</c>, <c>"true" (quoted)</c>, <c>a mapping</c>, <c>a list</c>.</summary>
    public static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode scalar when IsPlain(scalar) => $"'{scalar.Value}'",
        YamlScalarNode scalar => $"\"{scalar.Value}\" (quoted: a string)",
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        _ => "an alias",
    };

    private static JsonObject ToObject(YamlMappingNode map)
    {
        var obj = new JsonObject();
        foreach (var (key, value) in map.Children)
        {
            obj[(key as YamlScalarNode)?.Value ?? key.ToString()] = ToJson(value);
        }

        return obj;
    }

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (!IsPlain(scalar))
        {
            return JsonValue.Create(value);
        }

        if (NullRegex().IsMatch(value))
        {
            return null;
        }

        if (BoolRegex().IsMatch(value))
        {
            return JsonValue.Create(value[0] is 't' or 'T');
        }

        if (IntRegex().IsMatch(value) && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (FloatRegex().IsMatch(value) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return JsonValue.Create(number);
        }

        return JsonValue.Create(value);
    }

    private static bool IsPlain(YamlScalarNode scalar) => scalar.Style is ScalarStyle.Plain or ScalarStyle.Any;

    [GeneratedRegex("^(~|null|Null|NULL|)$")]
    private static partial Regex NullRegex();

    [GeneratedRegex("^(true|True|TRUE|false|False|FALSE)$")]
    private static partial Regex BoolRegex();

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex IntRegex();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatRegex();
}
