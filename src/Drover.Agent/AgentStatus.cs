using System.Text.Json.Serialization;

namespace Drover.Agent;

/// <summary><c>/var/lib/drover/status.json</c>: the outcome of the last run.</summary>
public sealed record AgentStatus
{
    public const string StatusOk = "ok", StatusError = "error";

    /// <summary>The data sources (<see cref="Source"/>): Hetzner's metadata service, a NoCloud drive.</summary>
    public const string SourceHetzner = "hetzner-metadata", SourceNoCloud = "nocloud";

    public required string Status { get; init; }
    public string? Hostname { get; init; }
    public string? InstanceId { get; init; }

    /// <summary>Where the run read its configuration: <see cref="SourceHetzner"/> or <see cref="SourceNoCloud"/> (null: neither answered).</summary>
    public string? Source { get; init; }
    public required DateTimeOffset Started { get; init; }
    public required DateTimeOffset Finished { get; init; }

    /// <summary>The agent's own time, converge excluded.</summary>
    public required double AgentSeconds { get; init; }

    public ConvergeResult? Converge { get; init; }
    public required IReadOnlyList<StepResult> Steps { get; init; }
    public string? Error { get; init; }
}

/// <summary>The converge command and how it went (exit code null: it could not be started).</summary>
public sealed record ConvergeResult(string Command, int? ExitCode, double Seconds);

/// <summary>One step of the run, in order.</summary>
public sealed record StepResult(string Name, double Seconds, bool Ok, string? Detail);

/// <summary>Source-generated JSON for the status file (the agent is trimmed: no reflection).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(AgentStatus))]
public sealed partial class AgentJsonContext : JsonSerializerContext;
