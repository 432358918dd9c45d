using System.Text.Json.Serialization;
using static System.Text.Json.Serialization.JsonIgnoreCondition;

namespace Drover.Hcloud.Contracts;

/// <summary>An image: system image, app, snapshot or backup.</summary>
public sealed record Image
{
    public required long Id { get; init; }
    public required ImageType Type { get; init; }
    public required ImageStatus Status { get; init; }
    [JsonIgnore(Condition = Never)] public string? Name { get; init; }
    public required string Description { get; init; }
    [JsonIgnore(Condition = Never)] public double? ImageSize { get; init; }
    public required double DiskSize { get; init; }
    public required DateTimeOffset Created { get; init; }
    [JsonIgnore(Condition = Never)] public ImageCreatedFrom? CreatedFrom { get; init; }
    [JsonIgnore(Condition = Never)] public long? BoundTo { get; init; }
    public required string OsFlavor { get; init; }
    [JsonIgnore(Condition = Never)] public string? OsVersion { get; init; }
    public bool RapidDeploy { get; init; }
    public Protection Protection { get; init; } = new();
    [JsonIgnore(Condition = Never)] public DateTimeOffset? Deprecated { get; init; }
    [JsonIgnore(Condition = Never)] public DateTimeOffset? Deleted { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public required Architecture Architecture { get; init; }
}

/// <summary>The server an image was created from.</summary>
public sealed record ImageCreatedFrom
{
    public required long Id { get; init; }
    public required string Name { get; init; }
}

/// <summary><c>{"image": ...}</c></summary>
public sealed record ImageResponse
{
    public required Image Image { get; init; }
}

/// <summary><c>{"images": [...], "meta": ...}</c></summary>
public sealed record ImagesResponse
{
    public required IReadOnlyList<Image> Images { get; init; }
    public required Meta Meta { get; init; }
}

/// <summary>Body of <c>PUT /images/{id}</c>.</summary>
public sealed record UpdateImageRequest
{
    public string? Description { get; init; }
    public string? Type { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
}
