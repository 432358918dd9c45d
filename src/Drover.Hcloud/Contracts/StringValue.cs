using System.Text.Json;
using System.Text.Json.Serialization;

namespace Drover.Hcloud.Contracts;

/// <summary>A server-owned vocabulary value: any string the API sends round-trips unchanged.</summary>
public interface IStringValue<TSelf> where TSelf : IStringValue<TSelf>
{
    /// <summary>The raw value as sent on the wire.</summary>
    string Value { get; }

    /// <summary>Wraps a raw wire value.</summary>
    static abstract TSelf From(string value);
}

/// <summary>JSON converter for <see cref="IStringValue{TSelf}"/> types.</summary>
public sealed class StringValueConverter<T> : JsonConverter<T> where T : IStringValue<T>
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => T.From(reader.GetString() ?? throw new JsonException($"Expected a string for {typeof(T).Name}."));

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
        => writer.WriteStringValue(value.Value);
}
