using System.Text.Json.Serialization;

namespace Drover.Proxmox.Contracts;

/// <summary>One item of <c>GET /nodes/{node}/qemu</c>.</summary>
public sealed record VmSummary
{
    [JsonPropertyName("vmid")]
    public required int VmId { get; init; }

    /// <summary><c>running</c> or <c>stopped</c>.</summary>
    public required string Status { get; init; }

    public string? Name { get; init; }
    public bool? Template { get; init; }

    /// <summary>Raw tag list (<c>;</c>-separated).</summary>
    public string? Tags { get; init; }

    public string? Lock { get; init; }
    public double? Cpus { get; init; }
    [JsonPropertyName("maxmem")]
    public long? MaxMem { get; init; }
    [JsonPropertyName("maxdisk")]
    public long? MaxDisk { get; init; }
    public long? Uptime { get; init; }
    public int? Pid { get; init; }
    [JsonPropertyName("qmpstatus")]
    public string? QmpStatus { get; init; }

    [JsonIgnore]
    public IReadOnlyList<string> TagList => ProxmoxTags.Parse(Tags);
}

/// <summary><c>GET /nodes/{node}/qemu/{vmid}/status/current</c>.</summary>
public sealed record VmStatus
{
    [JsonPropertyName("vmid")]
    public required int VmId { get; init; }

    /// <summary><c>running</c> or <c>stopped</c>.</summary>
    public required string Status { get; init; }

    /// <summary>QEMU's own view (<c>running</c>, <c>paused</c>, <c>prelaunch</c>, …).</summary>
    [JsonPropertyName("qmpstatus")]
    public string? QmpStatus { get; init; }

    public string? Name { get; init; }

    /// <summary>Whether the guest agent is enabled in the config.</summary>
    public bool? Agent { get; init; }

    public bool? Template { get; init; }
    public string? Tags { get; init; }
    public string? Lock { get; init; }
    public long? Uptime { get; init; }
    public int? Pid { get; init; }
    public double? Cpus { get; init; }
    [JsonPropertyName("maxmem")]
    public long? MaxMem { get; init; }

    [JsonIgnore]
    public bool IsRunning => Status == "running";
}

/// <summary>The guest agent's answer: <c>{"result": …}</c>.</summary>
public sealed record GuestAgentResult<T>
{
    public T? Result { get; init; }
}

/// <summary>One interface of <c>agent/network-get-interfaces</c>.</summary>
public sealed record GuestNetworkInterface
{
    public required string Name { get; init; }

    [JsonPropertyName("hardware-address")]
    public string? HardwareAddress { get; init; }

    [JsonPropertyName("ip-addresses")]
    public IReadOnlyList<GuestIpAddress> IpAddresses { get; init; } = [];
}

/// <summary>One address of a <see cref="GuestNetworkInterface"/>.</summary>
public sealed record GuestIpAddress
{
    [JsonPropertyName("ip-address")]
    public required string IpAddress { get; init; }

    /// <summary><c>ipv4</c> or <c>ipv6</c>.</summary>
    [JsonPropertyName("ip-address-type")]
    public required string IpAddressType { get; init; }

    public int Prefix { get; init; }
}
