using System.Text.Json.Serialization;

namespace Drover.Proxmox.Contracts;

/// <summary><c>GET /version</c>.</summary>
public sealed record ProxmoxVersion
{
    /// <summary>The pve-manager package version, e.g. <c>9.1.3</c>.</summary>
    public required string Version { get; init; }

    /// <summary>The point release, <c>x.y</c>.</summary>
    public required string Release { get; init; }

    [JsonPropertyName("repoid")]
    public string? RepoId { get; init; }
}

/// <summary>One item of <c>GET /cluster/resources</c>; which fields are set depends on <see cref="Type"/>.</summary>
public sealed record ClusterResource
{
    /// <summary>e.g. <c>qemu/100</c>, <c>node/pve</c>, <c>storage/pve/local</c>.</summary>
    public required string Id { get; init; }

    /// <summary><c>node</c>, <c>storage</c>, <c>pool</c>, <c>qemu</c>, <c>lxc</c>, <c>sdn</c>, …</summary>
    public required string Type { get; init; }

    [JsonPropertyName("vmid")]
    public int? VmId { get; init; }
    public string? Name { get; init; }
    public string? Node { get; init; }
    public string? Status { get; init; }
    public bool? Template { get; init; }

    /// <summary>Raw tag list (<c>;</c>-separated); see <see cref="ProxmoxTags.Parse"/>.</summary>
    public string? Tags { get; init; }

    public string? Pool { get; init; }
    public string? Lock { get; init; }
    public string? Storage { get; init; }
    public string? Content { get; init; }
    [JsonPropertyName("maxmem")]
    public long? MaxMem { get; init; }
    [JsonPropertyName("maxdisk")]
    public long? MaxDisk { get; init; }
    [JsonPropertyName("maxcpu")]
    public double? MaxCpu { get; init; }
    public long? Uptime { get; init; }

    /// <summary>The tags as a list.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> TagList => ProxmoxTags.Parse(Tags);
}
