using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Drover.Testing;

/// <summary>Semantic JSON equality: property order and formatting do not matter, numbers compare by value.</summary>
internal static class JsonComparison
{
    /// <summary>The JSON path of the first difference, with what differs there; null when equal.</summary>
    public static string? FirstDifference(JsonNode? expected, JsonNode? actual, string path = "$")
    {
        switch (expected, actual)
        {
            case (null, null):
                return null;
            case (null, _) or (_, null):
                return $"{path}: expected {Format(expected)}, got {Format(actual)}";
            case (JsonObject e, JsonObject a):
                foreach (var name in e.Select(p => p.Key).Union(a.Select(p => p.Key)).Order(StringComparer.Ordinal))
                {
                    var child = $"{path}.{name}";
                    if (!a.ContainsKey(name))
                    {
                        return $"{child}: missing (expected {Format(e[name])})";
                    }
                    if (!e.ContainsKey(name))
                    {
                        return $"{child}: unexpected property (got {Format(a[name])})";
                    }
                    if (FirstDifference(e[name], a[name], child) is { } difference)
                    {
                        return difference;
                    }
                }
                return null;
            case (JsonArray e, JsonArray a):
                for (var i = 0; i < Math.Min(e.Count, a.Count); i++)
                {
                    if (FirstDifference(e[i], a[i], $"{path}[{i}]") is { } difference)
                    {
                        return difference;
                    }
                }
                return e.Count == a.Count ? null : $"{path}: expected {e.Count} element(s), got {a.Count}";
            case (JsonValue e, JsonValue a):
                return ValuesEqual(e, a) ? null : $"{path}: expected {Format(e)}, got {Format(a)}";
            default:
                return $"{path}: expected {Format(expected)}, got {Format(actual)}";
        }
    }

    /// <summary>Compact JSON with properties sorted, for messages.</summary>
    public static string Format(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject o => "{" + string.Join(",", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{JsonSerializer.Serialize(p.Key)}:{Format(p.Value)}")) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(Format)) + "]",
        _ => node.ToJsonString(),
    };

    private static bool ValuesEqual(JsonValue expected, JsonValue actual)
    {
        var kind = expected.GetValueKind();
        if (kind != actual.GetValueKind())
        {
            return false;
        }
        if (kind == JsonValueKind.Number
            && decimal.TryParse(expected.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var e)
            && decimal.TryParse(actual.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var a))
        {
            return e == a;
        }
        return kind == JsonValueKind.String
            ? expected.GetValue<string>() == actual.GetValue<string>()
            : expected.ToJsonString() == actual.ToJsonString();
    }
}
