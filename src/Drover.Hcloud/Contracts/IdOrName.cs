using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Drover.Hcloud.Contracts;

/// <summary>
/// A reference to a resource by numeric ID or by name, as <c>image</c>, <c>server_type</c> and
/// <c>location</c> take in create requests. An ID is written as a JSON number, a name as a string;
/// both forms (and a string of digits, as an ID) are read.
/// </summary>
[JsonConverter(typeof(IdOrNameConverter))]
public readonly record struct IdOrName
{
    private IdOrName(long? id, string? name) { Id = id; Name = name; }

    /// <summary>The ID, when this reference is by ID.</summary>
    public long? Id { get; }

    /// <summary>The name, when this reference is by name.</summary>
    public string? Name { get; }

    public static IdOrName FromId(long id) => new(id, null);

    public static IdOrName FromName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new(null, name);
    }

    /// <summary>Digits become an ID, anything else a name.</summary>
    public static IdOrName Parse(string value)
        => long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? FromId(id) : FromName(value);

    public static implicit operator IdOrName(long id) => FromId(id);
    public static implicit operator IdOrName(string name) => Parse(name);

    public override string ToString() => Id?.ToString(CultureInfo.InvariantCulture) ?? Name ?? "";
}

/// <summary>JSON converter for <see cref="IdOrName"/>.</summary>
public sealed class IdOrNameConverter : JsonConverter<IdOrName>
{
    public override IdOrName Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Number when reader.TryGetInt64(out var id) => IdOrName.FromId(id),
        JsonTokenType.String when !string.IsNullOrWhiteSpace(reader.GetString()) => IdOrName.Parse(reader.GetString()!),
        _ => throw new JsonException("Expected an ID (number) or a name (string)."),
    };

    public override void Write(Utf8JsonWriter writer, IdOrName value, JsonSerializerOptions options)
    {
        if (value.Id is { } id)
        {
            writer.WriteNumberValue(id);
        }
        else
        {
            writer.WriteStringValue(value.Name);
        }
    }
}
