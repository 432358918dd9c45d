using System.Text.Json;
using System.Text.Json.Serialization;

namespace Drover.Proxmox.Contracts;

/// <summary>
/// Reads Proxmox booleans, which the Perl JSON encoder writes as <c>1</c>/<c>0</c> (sometimes as strings), as well as
/// <c>true</c>/<c>false</c>; writes <c>1</c>/<c>0</c> like Proxmox does.
/// </summary>
public sealed class PveBooleanConverter : JsonConverter<bool>
{
    public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => reader.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            JsonTokenType.Number => reader.GetDouble() != 0,
            JsonTokenType.String => reader.GetString() switch
            {
                "1" or "true" or "on" or "yes" => true,
                "0" or "false" or "off" or "no" or "" => false,
                var s => throw new JsonException($"'{s}' is not a Proxmox boolean"),
            },
            _ => throw new JsonException($"expected a Proxmox boolean, got {reader.TokenType}"),
        };

    public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumberValue(value ? 1 : 0);
    }
}
