using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Drover.Hcloud.Contracts;

namespace Drover.Cli.Output;

/// <summary>_indented JSON in the API's wire format (the same contracts the client reads).</summary>
public static class Json
{
    private static readonly HcloudJsonContext _indented = new(new JsonSerializerOptions(HcloudJsonContext.Default.Options)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static void Write<T>(TextWriter writer, T value, Func<HcloudJsonContext, JsonTypeInfo<T>> typeInfo)
        => writer.WriteLine(JsonSerializer.Serialize(value, typeInfo(_indented)));

    public static void Write<T>(TextWriter writer, T value, JsonTypeInfo<T> typeInfo)
        => writer.WriteLine(JsonSerializer.Serialize(value, new JsonSerializerOptions(typeInfo.Options) { WriteIndented = true }.GetTypeInfo(typeof(T))));
}
