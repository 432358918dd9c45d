using System.Text.Json.Serialization;

namespace Drover.LocalCloud.Hosting;

/// <summary>Where <c>local.json</c> says the running local cloud is.</summary>
public sealed record LocalInfo
{
    public int Pid { get; init; }
    public required string Endpoint { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(LocalInfo))]
[JsonSerializable(typeof(LocalCloudStatus))]
public sealed partial class LocalJsonContext : JsonSerializerContext;
