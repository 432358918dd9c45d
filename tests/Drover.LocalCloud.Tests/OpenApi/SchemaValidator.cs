using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Drover.LocalCloud.Tests.OpenApi;

/// <summary>
/// Validates a JSON value against the OpenAPI 3.0 schema subset the Hetzner spec uses: <c>type</c> (integer,
/// number, string, boolean, object, array), <c>nullable</c>, <c>required</c>, <c>properties</c>, <c>items</c>,
/// <c>enum</c>, <c>additionalProperties</c>, <c>minimum</c>/<c>maximum</c> and <c>allOf</c>/<c>oneOf</c>/<c>anyOf</c>.
/// <c>format</c>, <c>pattern</c>, lengths, examples and descriptions are ignored. The spec has no <c>$ref</c>.
/// </summary>
public static partial class SchemaValidator
{
    /// <summary>
    /// Every violation, each with the JSON path where it occurs. With <paramref name="reportUndeclaredProperties"/>,
    /// a property that an object schema with listed <c>properties</c> does not declare (and no
    /// <c>additionalProperties</c> allows) is a violation too; an object schema listing no properties stays free-form.
    /// </summary>
    public static IReadOnlyList<SchemaViolation> Validate(JsonElement schema, JsonElement value, bool reportUndeclaredProperties = false)
    {
        var violations = new List<SchemaViolation>();
        Check(schema, value, "$", reportUndeclaredProperties, violations);
        return violations;
    }

    private static void Check(JsonElement schema, JsonElement value, string path, bool strict, List<SchemaViolation> violations)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            if (!AllowsNull(schema))
            {
                violations.Add(new(path, "is null, but the schema is not nullable"));
            }
            return;
        }
        if (schema.TryGetProperty("type", out var type) && !HasType(value, type.GetString()!))
        {
            violations.Add(new(path, $"is {Describe(value)}, expected {type.GetString()}"));
            return;
        }
        if (schema.TryGetProperty("enum", out var allowed) && !allowed.EnumerateArray().Any(a => JsonElement.DeepEquals(a, value)))
        {
            violations.Add(new(path, $"{value.GetRawText()} is not one of {allowed.GetRawText()}"));
        }
        if (value.ValueKind == JsonValueKind.Number)
        {
            CheckRange(schema, value, path, violations);
        }
        if (value.ValueKind == JsonValueKind.Object)
        {
            CheckObject(schema, value, path, strict, violations);
        }
        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                Check(items, item, $"{path}[{index++}]", strict, violations);
            }
        }
        CheckComposition(schema, value, path, violations);
    }

    private static void CheckObject(JsonElement schema, JsonElement value, string path, bool strict, List<SchemaViolation> violations)
    {
        if (schema.TryGetProperty("required", out var required))
        {
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
            {
                if (!value.TryGetProperty(name, out _))
                {
                    violations.Add(new(path, $"missing required property '{name}'"));
                }
            }
        }
        var properties = schema.TryGetProperty("properties", out var p) ? p : default;
        var additional = schema.TryGetProperty("additionalProperties", out var a) ? a : default;
        foreach (var property in value.EnumerateObject())
        {
            var childPath = Child(path, property.Name);
            if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(property.Name, out var propertySchema))
            {
                Check(propertySchema, property.Value, childPath, strict, violations);
            }
            else if (additional.ValueKind == JsonValueKind.Object)
            {
                Check(additional, property.Value, childPath, strict, violations);
            }
            else if (additional.ValueKind == JsonValueKind.False)
            {
                violations.Add(new(childPath, "is not allowed (additionalProperties: false)"));
            }
            else if (strict && additional.ValueKind == JsonValueKind.Undefined && DeclaresAny(schema) && !Declares(schema, property.Name))
            {
                violations.Add(new(childPath, "is not declared by the schema"));
            }
        }
    }

    private static void CheckComposition(JsonElement schema, JsonElement value, string path, List<SchemaViolation> violations)
    {
        if (schema.TryGetProperty("allOf", out var allOf))
        {
            // The parts of an allOf often split one object's properties: undeclared properties are judged on the whole
            // schema (CheckObject), not on each part.
            foreach (var part in allOf.EnumerateArray())
            {
                Check(part, value, path, strict: false, violations);
            }
        }
        if (schema.TryGetProperty("oneOf", out var oneOf))
        {
            var alternatives = oneOf.EnumerateArray().ToList();
            var matching = alternatives.Count(alternative => Validate(alternative, value).Count == 0);
            if (matching != 1)
            {
                violations.Add(new(path, $"matches {matching} of {alternatives.Count} oneOf alternatives, expected exactly one"));
            }
        }
        if (schema.TryGetProperty("anyOf", out var anyOf))
        {
            var alternatives = anyOf.EnumerateArray().ToList();
            if (!alternatives.Any(alternative => Validate(alternative, value).Count == 0))
            {
                violations.Add(new(path, $"matches none of {alternatives.Count} anyOf alternatives"));
            }
        }
    }

    private static void CheckRange(JsonElement schema, JsonElement value, string path, List<SchemaViolation> violations)
    {
        var number = value.GetDouble();
        if (schema.TryGetProperty("minimum", out var minimum) && number < minimum.GetDouble())
        {
            violations.Add(new(path, $"{value.GetRawText()} is less than the minimum {minimum.GetRawText()}"));
        }
        if (schema.TryGetProperty("maximum", out var maximum) && number > maximum.GetDouble())
        {
            violations.Add(new(path, $"{value.GetRawText()} is greater than the maximum {maximum.GetRawText()}"));
        }
    }

    /// <summary>
    /// Null is allowed by <c>nullable: true</c>; a typed schema without it forbids null; a composition allows it when
    /// its parts do (all of an <c>allOf</c>, any of a <c>oneOf</c>/<c>anyOf</c>); an unconstrained schema allows anything.
    /// </summary>
    private static bool AllowsNull(JsonElement schema)
    {
        if (schema.TryGetProperty("nullable", out var nullable) && nullable.ValueKind == JsonValueKind.True)
        {
            return true;
        }
        if (schema.TryGetProperty("type", out _))
        {
            return false;
        }
        if (schema.TryGetProperty("enum", out var allowed))
        {
            return allowed.EnumerateArray().Any(a => a.ValueKind == JsonValueKind.Null);
        }
        if (schema.TryGetProperty("allOf", out var allOf))
        {
            return allOf.EnumerateArray().All(AllowsNull);
        }
        var alternatives = Parts(schema, "oneOf").Concat(Parts(schema, "anyOf")).ToList();
        return alternatives.Count == 0 || alternatives.Any(AllowsNull);
    }

    private static bool Declares(JsonElement schema, string name)
    {
        if (schema.TryGetProperty("properties", out var properties) && properties.TryGetProperty(name, out _))
        {
            return true;
        }
        return Parts(schema, "allOf").Concat(Parts(schema, "oneOf")).Concat(Parts(schema, "anyOf")).Any(part => Declares(part, name));
    }

    /// <summary>Whether the schema lists properties at all: an object schema without any is free-form (e.g. <c>error.details</c>).</summary>
    private static bool DeclaresAny(JsonElement schema)
        => (schema.TryGetProperty("properties", out var properties) && properties.EnumerateObject().Any())
            || Parts(schema, "allOf").Concat(Parts(schema, "oneOf")).Concat(Parts(schema, "anyOf")).Any(DeclaresAny);

    private static IEnumerable<JsonElement> Parts(JsonElement schema, string keyword)
        => schema.TryGetProperty(keyword, out var parts) ? parts.EnumerateArray() : [];

    private static bool HasType(JsonElement value, string type) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var d) && decimal.Truncate(d) == d,
        _ => throw new NotSupportedException($"schema type '{type}' is not supported by this validator"),
    };

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string {value.GetRawText()}",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {value.GetRawText()}",
        var other => other.ToString().ToLower(CultureInfo.InvariantCulture),
    };

    private static string Child(string path, string name)
        => SimpleName().IsMatch(name) ? $"{path}.{name}" : $"{path}['{name.Replace("'", "\\'", StringComparison.Ordinal)}']";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex SimpleName();
}
