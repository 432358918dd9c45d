using System.Text.Json.Serialization;
using static System.Text.Json.Serialization.JsonIgnoreCondition;

namespace Drover.Hcloud.Contracts;

/// <summary>A firewall.</summary>
public sealed record Firewall
{
    public required long Id { get; init; }
    public required string Name { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public required DateTimeOffset Created { get; init; }
    public IReadOnlyList<FirewallRule> Rules { get; init; } = [];
    public IReadOnlyList<FirewallResource> AppliedTo { get; init; } = [];
}

/// <summary>A firewall rule.</summary>
public sealed record FirewallRule
{
    [JsonIgnore(Condition = Never)] public string? Description { get; init; }
    public required string Direction { get; init; }
    public IReadOnlyList<string> SourceIps { get; init; } = [];
    public IReadOnlyList<string> DestinationIps { get; init; } = [];
    public required string Protocol { get; init; }
    [JsonIgnore(Condition = Never)] public string? Port { get; init; }
}

/// <summary>A resource a firewall applies to: a server or a label selector.</summary>
public sealed record FirewallResource
{
    public required string Type { get; init; }
    public ResourceId? Server { get; init; }
    public FirewallLabelSelector? LabelSelector { get; init; }
    public IReadOnlyList<FirewallResource>? AppliedToResources { get; init; }
}

/// <summary>A label selector a firewall applies to.</summary>
public sealed record FirewallLabelSelector
{
    public required string Selector { get; init; }
}

/// <summary><c>{"firewall": ...}</c></summary>
public sealed record FirewallResponse
{
    public required Firewall Firewall { get; init; }
}

/// <summary><c>{"firewalls": [...], "meta": ...}</c></summary>
public sealed record FirewallsResponse
{
    public required IReadOnlyList<Firewall> Firewalls { get; init; }
    public required Meta Meta { get; init; }
}

/// <summary>Body of <c>POST /firewalls</c>.</summary>
public sealed record CreateFirewallRequest
{
    public required string Name { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    public IReadOnlyList<FirewallRule>? Rules { get; init; }
    public IReadOnlyList<FirewallResource>? ApplyTo { get; init; }
}

/// <summary>Response of <c>POST /firewalls</c>.</summary>
public sealed record CreateFirewallResult
{
    public required Firewall Firewall { get; init; }
    public IReadOnlyList<CloudAction> Actions { get; init; } = [];
}

/// <summary>Body of <c>PUT /firewalls/{id}</c>.</summary>
public sealed record UpdateFirewallRequest
{
    public string? Name { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
}

/// <summary>Body of <c>apply_to_resources</c>.</summary>
public sealed record ApplyFirewallRequest
{
    public required IReadOnlyList<FirewallResource> ApplyTo { get; init; }
}

/// <summary>Body of <c>remove_from_resources</c>.</summary>
public sealed record RemoveFirewallRequest
{
    public required IReadOnlyList<FirewallResource> RemoveFrom { get; init; }
}

/// <summary>Body of <c>set_rules</c>.</summary>
public sealed record SetFirewallRulesRequest
{
    public required IReadOnlyList<FirewallRule> Rules { get; init; }
}
