using System.Text.Json.Serialization;
using static System.Text.Json.Serialization.JsonIgnoreCondition;

namespace Drover.Hcloud.Contracts;

/// <summary>An API action (named <c>CloudAction</c> to avoid clashing with <see cref="System.Action"/>).</summary>
public sealed record CloudAction
{
    public required long Id { get; init; }
    public required string Command { get; init; }
    public required ActionStatus Status { get; init; }
    public int Progress { get; init; }
    public required DateTimeOffset Started { get; init; }
    [JsonIgnore(Condition = Never)] public DateTimeOffset? Finished { get; init; }
    public IReadOnlyList<ActionResource> Resources { get; init; } = [];
    [JsonIgnore(Condition = Never)] public ActionError? Error { get; init; }
}

/// <summary>A resource an action works on.</summary>
public sealed record ActionResource
{
    public required long Id { get; init; }
    public required string Type { get; init; }
}

/// <summary>Why an action failed.</summary>
public sealed record ActionError
{
    public required string Code { get; init; }
    public required string Message { get; init; }
}

/// <summary><c>{"action": ...}</c></summary>
public sealed record ActionResponse
{
    public required CloudAction Action { get; init; }
}

/// <summary><c>{"actions": [...], "meta": ...}</c></summary>
public sealed record ActionsResponse
{
    public required IReadOnlyList<CloudAction> Actions { get; init; }
    public Meta? Meta { get; init; }
}
