using System.Text.Json.Serialization;
using static System.Text.Json.Serialization.JsonIgnoreCondition;

namespace Drover.Hcloud.Contracts;

/// <summary>A server.</summary>
public sealed record Server
{
    public required long Id { get; init; }
    public required string Name { get; init; }
    public required ServerStatus Status { get; init; }
    public required DateTimeOffset Created { get; init; }
    public required ServerPublicNet PublicNet { get; init; }
    public IReadOnlyList<ServerPrivateNet> PrivateNet { get; init; } = [];
    public required ServerType ServerType { get; init; }
    public required Datacenter Datacenter { get; init; }
    public required Location Location { get; init; }
    [JsonIgnore(Condition = Never)] public Image? Image { get; init; }
    [JsonIgnore(Condition = Never)] public Iso? Iso { get; init; }
    public bool RescueEnabled { get; init; }
    public bool Locked { get; init; }
    [JsonIgnore(Condition = Never)] public string? BackupWindow { get; init; }
    [JsonIgnore(Condition = Never)] public long? OutgoingTraffic { get; init; }
    [JsonIgnore(Condition = Never)] public long? IngoingTraffic { get; init; }
    [JsonIgnore(Condition = Never)] public long? IncludedTraffic { get; init; }
    public ServerProtection Protection { get; init; } = new();
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<long> Volumes { get; init; } = [];
    public IReadOnlyList<long> LoadBalancers { get; init; } = [];
    public required int PrimaryDiskSize { get; init; }
    [JsonIgnore(Condition = Never)] public PlacementGroup? PlacementGroup { get; init; }
}

/// <summary>A server's public network.</summary>
public sealed record ServerPublicNet
{
    [JsonIgnore(Condition = Never)] public ServerIpv4? Ipv4 { get; init; }
    [JsonIgnore(Condition = Never)] public ServerIpv6? Ipv6 { get; init; }
    public IReadOnlyList<long> FloatingIps { get; init; } = [];
    public IReadOnlyList<ServerFirewall> Firewalls { get; init; } = [];
}

/// <summary>A server's public IPv4.</summary>
public sealed record ServerIpv4
{
    [JsonIgnore(Condition = Never)] public long? Id { get; init; }
    public required string Ip { get; init; }
    public bool Blocked { get; init; }
    public required string DnsPtr { get; init; }
}

/// <summary>A server's public IPv6 network.</summary>
public sealed record ServerIpv6
{
    [JsonIgnore(Condition = Never)] public long? Id { get; init; }
    public required string Ip { get; init; }
    public bool Blocked { get; init; }
    [JsonIgnore(Condition = Never)] public IReadOnlyList<DnsPtrEntry>? DnsPtr { get; init; }
}

/// <summary>A reverse DNS entry.</summary>
public sealed record DnsPtrEntry
{
    public required string Ip { get; init; }
    public required string DnsPtr { get; init; }
}

/// <summary>A firewall applied to a server.</summary>
public sealed record ServerFirewall
{
    public required long Id { get; init; }
    public required string Status { get; init; }
}

/// <summary>A server's attachment to a private network.</summary>
public sealed record ServerPrivateNet
{
    public required long Network { get; init; }
    public required string Ip { get; init; }
    public IReadOnlyList<string> AliasIps { get; init; } = [];
    public required string MacAddress { get; init; }
}

/// <summary>An ISO attached to a server.</summary>
public sealed record Iso
{
    public required long Id { get; init; }
    [JsonIgnore(Condition = Never)] public string? Name { get; init; }
    public required string Description { get; init; }
    public required string Type { get; init; }
    [JsonIgnore(Condition = Never)] public DeprecationInfo? Deprecation { get; init; }
    [JsonIgnore(Condition = Never)] public Architecture? Architecture { get; init; }
}

/// <summary>A placement group.</summary>
public sealed record PlacementGroup
{
    public required long Id { get; init; }
    public required string Name { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public required string Type { get; init; }
    public required DateTimeOffset Created { get; init; }
    public IReadOnlyList<long> Servers { get; init; } = [];
}

/// <summary><c>{"server": ...}</c></summary>
public sealed record ServerResponse
{
    public required Server Server { get; init; }
}

/// <summary><c>{"servers": [...], "meta": ...}</c></summary>
public sealed record ServersResponse
{
    public required IReadOnlyList<Server> Servers { get; init; }
    public required Meta Meta { get; init; }
}

/// <summary>Body of <c>POST /servers</c>.</summary>
public sealed record CreateServerRequest
{
    public required string Name { get; init; }
    public required IdOrName ServerType { get; init; }
    public required IdOrName Image { get; init; }
    public string? Location { get; init; }
    public string? Datacenter { get; init; }
    public IReadOnlyList<IdOrName>? SshKeys { get; init; }
    public string? UserData { get; init; }
    public bool? StartAfterCreate { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    public bool? Automount { get; init; }
    public IReadOnlyList<long>? Volumes { get; init; }
    public IReadOnlyList<long>? Networks { get; init; }
    public IReadOnlyList<CreateServerFirewall>? Firewalls { get; init; }
    public long? PlacementGroup { get; init; }
    public CreateServerPublicNet? PublicNet { get; init; }
}

/// <summary>A firewall to apply at server creation.</summary>
public sealed record CreateServerFirewall
{
    public required long Firewall { get; init; }
}

/// <summary>Public network settings at server creation.</summary>
public sealed record CreateServerPublicNet
{
    public bool? EnableIpv4 { get; init; }
    public bool? EnableIpv6 { get; init; }
    public long? Ipv4 { get; init; }
    public long? Ipv6 { get; init; }
}

/// <summary>Response of <c>POST /servers</c>.</summary>
public sealed record CreateServerResult
{
    public required Server Server { get; init; }
    public required CloudAction Action { get; init; }
    public IReadOnlyList<CloudAction> NextActions { get; init; } = [];
    [JsonIgnore(Condition = Never)] public string? RootPassword { get; init; }
}

/// <summary>Body of <c>PUT /servers/{id}</c>.</summary>
public sealed record UpdateServerRequest
{
    public string? Name { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
}

/// <summary>Body of <c>enable_rescue</c>.</summary>
public sealed record EnableRescueRequest
{
    public string? Type { get; init; }
    public IReadOnlyList<long>? SshKeys { get; init; }
}

/// <summary>Response of <c>enable_rescue</c>.</summary>
public sealed record EnableRescueResult
{
    [JsonIgnore(Condition = Never)] public string? RootPassword { get; init; }
    public required CloudAction Action { get; init; }
}

/// <summary>Body of <c>create_image</c>.</summary>
public sealed record CreateImageRequest
{
    public string? Description { get; init; }
    public string? Type { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
}

/// <summary>Response of <c>create_image</c>.</summary>
public sealed record CreateImageResult
{
    public required Image Image { get; init; }
    public required CloudAction Action { get; init; }
}

/// <summary>Body of <c>rebuild</c>.</summary>
public sealed record RebuildServerRequest
{
    public required IdOrName Image { get; init; }
    public string? UserData { get; init; }
}

/// <summary>Response of <c>rebuild</c>.</summary>
public sealed record RebuildServerResult
{
    [JsonIgnore(Condition = Never)] public string? RootPassword { get; init; }
    public required CloudAction Action { get; init; }
}

/// <summary>Body of <c>change_type</c>.</summary>
public sealed record ChangeServerTypeRequest
{
    public required IdOrName ServerType { get; init; }
    public required bool UpgradeDisk { get; init; }
}

/// <summary>Body of <c>attach_to_network</c>.</summary>
public sealed record AttachToNetworkRequest
{
    public required long Network { get; init; }
    public string? Ip { get; init; }
    public IReadOnlyList<string>? AliasIps { get; init; }
    public string? IpRange { get; init; }
}

/// <summary>Body of <c>detach_from_network</c>.</summary>
public sealed record DetachFromNetworkRequest
{
    public required long Network { get; init; }
}
