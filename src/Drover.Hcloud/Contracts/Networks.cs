using System.Text.Json.Serialization;
using static System.Text.Json.Serialization.JsonIgnoreCondition;

namespace Drover.Hcloud.Contracts;

/// <summary>A private network.</summary>
public sealed record Network
{
    public required long Id { get; init; }
    public required string Name { get; init; }
    public required string IpRange { get; init; }
    public IReadOnlyList<Subnet> Subnets { get; init; } = [];
    public IReadOnlyList<Route> Routes { get; init; } = [];
    public IReadOnlyList<long> Servers { get; init; } = [];
    public IReadOnlyList<long> LoadBalancers { get; init; } = [];
    public Protection Protection { get; init; } = new();
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public required DateTimeOffset Created { get; init; }
    public bool ExposeRoutesToVswitch { get; init; }
}

/// <summary>A subnet of a network.</summary>
public sealed record Subnet
{
    public required string Type { get; init; }
    public string? IpRange { get; init; }
    public required string NetworkZone { get; init; }
    public string? Gateway { get; init; }
    [JsonIgnore(Condition = Never)] public long? VswitchId { get; init; }
}

/// <summary>A route of a network.</summary>
public sealed record Route
{
    public required string Destination { get; init; }
    public required string Gateway { get; init; }
}

/// <summary><c>{"network": ...}</c></summary>
public sealed record NetworkResponse
{
    public required Network Network { get; init; }
}

/// <summary><c>{"networks": [...], "meta": ...}</c></summary>
public sealed record NetworksResponse
{
    public required IReadOnlyList<Network> Networks { get; init; }
    public required Meta Meta { get; init; }
}

/// <summary>Body of <c>POST /networks</c>.</summary>
public sealed record CreateNetworkRequest
{
    public required string Name { get; init; }
    public required string IpRange { get; init; }
    public IReadOnlyList<CreateSubnet>? Subnets { get; init; }
    public IReadOnlyList<Route>? Routes { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    public bool? ExposeRoutesToVswitch { get; init; }
}

/// <summary>A subnet in a create request or <c>add_subnet</c>.</summary>
public sealed record CreateSubnet
{
    public required string Type { get; init; }
    public string? IpRange { get; init; }
    public required string NetworkZone { get; init; }
    public long? VswitchId { get; init; }
}

/// <summary>Body of <c>PUT /networks/{id}</c>.</summary>
public sealed record UpdateNetworkRequest
{
    public string? Name { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    public bool? ExposeRoutesToVswitch { get; init; }
}
