using System.Text.Json.Serialization;

namespace Drover.Proxmox.Contracts;

/// <summary>One item of <c>GET /nodes</c>.</summary>
public sealed record NodeSummary
{
    public required string Node { get; init; }

    /// <summary><c>online</c>, <c>offline</c> or <c>unknown</c>.</summary>
    public required string Status { get; init; }

    [JsonPropertyName("ssl_fingerprint")]
    public string? SslFingerprint { get; init; }

    public double? Cpu { get; init; }
    [JsonPropertyName("maxcpu")]
    public int? MaxCpu { get; init; }
    public long? Mem { get; init; }
    [JsonPropertyName("maxmem")]
    public long? MaxMem { get; init; }
    public long? Uptime { get; init; }
}
