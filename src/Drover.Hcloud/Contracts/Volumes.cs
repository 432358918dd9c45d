using System.Text.Json.Serialization;
using static System.Text.Json.Serialization.JsonIgnoreCondition;

namespace Drover.Hcloud.Contracts;

/// <summary>A block storage volume.</summary>
public sealed record Volume
{
    public required long Id { get; init; }
    public required DateTimeOffset Created { get; init; }
    public required string Name { get; init; }
    [JsonIgnore(Condition = Never)] public long? Server { get; init; }
    public required Location Location { get; init; }
    public required int Size { get; init; }
    public required string LinuxDevice { get; init; }
    public Protection Protection { get; init; } = new();
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public required string Status { get; init; }
    [JsonIgnore(Condition = Never)] public string? Format { get; init; }
}

/// <summary><c>{"volume": ...}</c></summary>
public sealed record VolumeResponse
{
    public required Volume Volume { get; init; }
}

/// <summary><c>{"volumes": [...], "meta": ...}</c></summary>
public sealed record VolumesResponse
{
    public required IReadOnlyList<Volume> Volumes { get; init; }
    public required Meta Meta { get; init; }
}

/// <summary>Body of <c>POST /volumes</c>.</summary>
public sealed record CreateVolumeRequest
{
    public required string Name { get; init; }
    public required int Size { get; init; }
    public string? Location { get; init; }
    public long? Server { get; init; }
    public bool? Automount { get; init; }
    public string? Format { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
}

/// <summary>Response of <c>POST /volumes</c>.</summary>
public sealed record CreateVolumeResult
{
    public required Volume Volume { get; init; }
    [JsonIgnore(Condition = Never)] public CloudAction? Action { get; init; }
    public IReadOnlyList<CloudAction> NextActions { get; init; } = [];
}

/// <summary>Body of <c>PUT /volumes/{id}</c>.</summary>
public sealed record UpdateVolumeRequest
{
    public string? Name { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
}

/// <summary>Body of <c>attach</c>.</summary>
public sealed record AttachVolumeRequest
{
    public required long Server { get; init; }
    public bool? Automount { get; init; }
}
