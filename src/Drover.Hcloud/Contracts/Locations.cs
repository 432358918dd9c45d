namespace Drover.Hcloud.Contracts;

/// <summary>A location (a site such as <c>fsn1</c>).</summary>
public sealed record Location
{
    public required long Id { get; init; }
    public required string Name { get; init; }
    public required string Description { get; init; }
    public required string Country { get; init; }
    public required string City { get; init; }
    public required double Latitude { get; init; }
    public required double Longitude { get; init; }
    public required string NetworkZone { get; init; }
}

/// <summary>A datacenter inside a location.</summary>
public sealed record Datacenter
{
    public required long Id { get; init; }
    public required string Name { get; init; }
    public required string Description { get; init; }
    public required Location Location { get; init; }
    public required DatacenterServerTypes ServerTypes { get; init; }
}

/// <summary>Server types a datacenter supports.</summary>
public sealed record DatacenterServerTypes
{
    public IReadOnlyList<long> Supported { get; init; } = [];
    public IReadOnlyList<long> Available { get; init; } = [];
    public IReadOnlyList<long> AvailableForMigration { get; init; } = [];
}

/// <summary><c>{"location": ...}</c></summary>
public sealed record LocationResponse
{
    public required Location Location { get; init; }
}

/// <summary><c>{"locations": [...], "meta": ...}</c></summary>
public sealed record LocationsResponse
{
    public required IReadOnlyList<Location> Locations { get; init; }
    public required Meta Meta { get; init; }
}
