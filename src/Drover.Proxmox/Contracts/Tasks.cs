using System.Text.Json.Serialization;

namespace Drover.Proxmox.Contracts;

/// <summary><c>GET /nodes/{node}/tasks/{upid}/status</c>.</summary>
public sealed record ProxmoxTaskStatus
{
    /// <summary><c>running</c> or <c>stopped</c>.</summary>
    public required string Status { get; init; }

    /// <summary>Set once stopped: <c>OK</c>, <c>WARNINGS: n</c>, or the error text.</summary>
    [JsonPropertyName("exitstatus")]
    public string? ExitStatus { get; init; }

    public string? Upid { get; init; }
    public string? Node { get; init; }
    public string? Type { get; init; }
    public string? Id { get; init; }
    public string? User { get; init; }
    public int? Pid { get; init; }
    [JsonPropertyName("pstart")]
    public long? PStart { get; init; }
    [JsonPropertyName("starttime")]
    public long? StartTime { get; init; }

    [JsonIgnore]
    public bool IsRunning => Status == "running";
}

/// <summary>One line of <c>GET /nodes/{node}/tasks/{upid}/log</c>.</summary>
public sealed record TaskLogLine
{
    /// <summary>Line number (1-based).</summary>
    [JsonPropertyName("n")]
    public int Number { get; init; }

    [JsonPropertyName("t")]
    public string Text { get; init; } = "";
}

/// <summary>A task that finished successfully: exit status <c>OK</c>, or <c>WARNINGS: n</c> (<see cref="Warnings"/>).</summary>
public sealed record ProxmoxTaskResult(Upid Upid, string ExitStatus, int Warnings);
