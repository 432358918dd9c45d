using Drover.Hcloud.Contracts;
using Drover.Hcloud.Labels;

namespace Drover.Hcloud;

/// <summary>Filters every list endpoint shares; each resource's options add their own.</summary>
public abstract record ListOptions
{
    /// <summary>Exact name filter.</summary>
    public string? Name { get; init; }

    /// <summary>Only resources whose labels match.</summary>
    public LabelSelector? LabelSelector { get; init; }

    /// <summary>Sort keys such as <c>id</c>, <c>name:desc</c>, <c>created:asc</c>.</summary>
    public IReadOnlyList<string>? Sort { get; init; }

    internal virtual Query ToQuery()
    {
        var selector = LabelSelector?.ToString();
        return new Query().Add("name", Name).Add("label_selector", string.IsNullOrEmpty(selector) ? null : selector).AddMany("sort", Sort);
    }
}

/// <summary>Filters of <c>GET /servers</c>.</summary>
public sealed record ServerListOptions : ListOptions
{
    public IReadOnlyList<ServerStatus>? Status { get; init; }

    internal override Query ToQuery() => base.ToQuery().AddMany("status", Status?.Select(s => s.Value));
}

/// <summary>Filters of <c>GET /images</c>.</summary>
public sealed record ImageListOptions : ListOptions
{
    public IReadOnlyList<ImageType>? Type { get; init; }
    public IReadOnlyList<ImageStatus>? Status { get; init; }
    public Architecture? Architecture { get; init; }
    public bool? IncludeDeprecated { get; init; }
    public IReadOnlyList<long>? BoundTo { get; init; }

    internal override Query ToQuery() => base.ToQuery()
        .AddMany("type", Type?.Select(t => t.Value))
        .AddMany("status", Status?.Select(s => s.Value))
        .Add("architecture", Architecture?.Value)
        .Add("include_deprecated", IncludeDeprecated)
        .AddMany("bound_to", BoundTo?.Select(b => b.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}

/// <summary>Filters of <c>GET /ssh_keys</c>.</summary>
public sealed record SshKeyListOptions : ListOptions
{
    public string? Fingerprint { get; init; }

    internal override Query ToQuery() => base.ToQuery().Add("fingerprint", Fingerprint);
}

/// <summary>Filters of <c>GET /server_types</c> and <c>GET /locations</c>.</summary>
public sealed record CatalogListOptions : ListOptions;

/// <summary>Filters of <c>GET /networks</c> and <c>GET /firewalls</c>.</summary>
public sealed record NetworkListOptions : ListOptions;

/// <summary>Filters of <c>GET /firewalls</c>.</summary>
public sealed record FirewallListOptions : ListOptions;

/// <summary>Filters of <c>GET /volumes</c>.</summary>
public sealed record VolumeListOptions : ListOptions
{
    public IReadOnlyList<string>? Status { get; init; }

    internal override Query ToQuery() => base.ToQuery().AddMany("status", Status);
}
