using System.Text.Json.Serialization;
using static System.Text.Json.Serialization.JsonIgnoreCondition;

namespace Drover.Hcloud.Contracts;

/// <summary>A server type (plan): cores, memory, disk, architecture and prices.</summary>
public sealed record ServerType
{
    public required long Id { get; init; }
    public required string Name { get; init; }
    public required string Description { get; init; }
    public required int Cores { get; init; }
    public required double Memory { get; init; }
    public required int Disk { get; init; }
    public bool Deprecated { get; init; }
    public IReadOnlyList<ServerTypePrice> Prices { get; init; } = [];
    public required string StorageType { get; init; }
    public required string CpuType { get; init; }
    public string? Category { get; init; }
    public required Architecture Architecture { get; init; }
    [JsonIgnore(Condition = Never)] public DeprecationInfo? Deprecation { get; init; }
    public IReadOnlyList<ServerTypeLocation> Locations { get; init; } = [];
}

/// <summary>The price of a server type in one location.</summary>
public sealed record ServerTypePrice
{
    public required string Location { get; init; }
    public required Price PriceHourly { get; init; }
    public required Price PriceMonthly { get; init; }
    public long IncludedTraffic { get; init; }
    public required Price PricePerTbTraffic { get; init; }
}

/// <summary>Where a server type can be ordered.</summary>
public sealed record ServerTypeLocation
{
    public required long Id { get; init; }
    public required string Name { get; init; }
    [JsonIgnore(Condition = Never)] public DeprecationInfo? Deprecation { get; init; }

    /// <summary>Whether the type can be ordered there now.</summary>
    public bool Available { get; init; } = true;

    /// <summary>Whether Hetzner recommends this location for the type.</summary>
    public bool Recommended { get; init; }
}

/// <summary><c>{"server_type": ...}</c></summary>
public sealed record ServerTypeResponse
{
    public required ServerType ServerType { get; init; }
}

/// <summary><c>{"server_types": [...], "meta": ...}</c></summary>
public sealed record ServerTypesResponse
{
    public required IReadOnlyList<ServerType> ServerTypes { get; init; }
    public required Meta Meta { get; init; }
}
