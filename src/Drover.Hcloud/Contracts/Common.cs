using System.Text.Json.Serialization;
using static System.Text.Json.Serialization.JsonIgnoreCondition;

namespace Drover.Hcloud.Contracts;

/// <summary>Pagination block of a list response.</summary>
public sealed record Pagination
{
    public int Page { get; init; }
    public int PerPage { get; init; }
    [JsonIgnore(Condition = Never)] public int? PreviousPage { get; init; }
    [JsonIgnore(Condition = Never)] public int? NextPage { get; init; }
    [JsonIgnore(Condition = Never)] public int? LastPage { get; init; }
    [JsonIgnore(Condition = Never)] public int? TotalEntries { get; init; }
}

/// <summary>The <c>meta</c> object of a list response.</summary>
public sealed record Meta
{
    public required Pagination Pagination { get; init; }
}

/// <summary>One page of a list, with its pagination.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, Pagination Pagination)
{
    /// <summary>The first item, or default when the page is empty.</summary>
    public T? FirstOrDefault => Items.Count > 0 ? Items[0] : default;
}

/// <summary>Delete protection.</summary>
public sealed record Protection
{
    public bool Delete { get; init; }
}

/// <summary>Delete and rebuild protection of a server.</summary>
public sealed record ServerProtection
{
    public bool Delete { get; init; }
    public bool Rebuild { get; init; }
}

/// <summary>Deprecation of a resource.</summary>
public sealed record DeprecationInfo
{
    public required DateTimeOffset Announced { get; init; }
    public required DateTimeOffset UnavailableAfter { get; init; }
}

/// <summary>A net/gross price pair (decimal strings, as the API sends them).</summary>
public sealed record Price
{
    public required string Net { get; init; }
    public required string Gross { get; init; }
}

/// <summary>The error envelope: <c>{"error": {...}}</c>.</summary>
public sealed record ErrorResponse
{
    public required ErrorBody Error { get; init; }
}

/// <summary>The body of an API error.</summary>
public sealed record ErrorBody
{
    public required string Code { get; init; }
    public required string Message { get; init; }
    [JsonIgnore(Condition = Never)] public ErrorDetails? Details { get; init; }
}

/// <summary>Error details: <c>fields</c> for <c>invalid_input</c> and <c>uniqueness_error</c>, <c>limits</c>, <c>announcement</c>.</summary>
public sealed record ErrorDetails
{
    public IReadOnlyList<ErrorField>? Fields { get; init; }
    public IReadOnlyList<ErrorLimit>? Limits { get; init; }
    public string? Announcement { get; init; }
}

/// <summary>A field named by an error, with its messages.</summary>
public sealed record ErrorField
{
    public required string Name { get; init; }
    public IReadOnlyList<string>? Messages { get; init; }
}

/// <summary>A limit named by <c>resource_limit_exceeded</c>.</summary>
public sealed record ErrorLimit
{
    public required string Name { get; init; }
}

/// <summary>A resource referenced by ID: <c>{"id": 42}</c>.</summary>
public sealed record ResourceId
{
    public required long Id { get; init; }
}
