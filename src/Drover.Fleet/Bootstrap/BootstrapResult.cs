namespace Drover.Fleet.Bootstrap;

/// <summary>The outcome of an apply.</summary>
public sealed record BootstrapResult
{
    public required IReadOnlyList<HostResult> Hosts { get; init; }

    /// <summary>API requests the apply took, action polling included.</summary>
    public required long Requests { get; init; }

    /// <summary>Of <see cref="Requests"/>, the <c>GET /actions</c> polls.</summary>
    public required long ActionPolls { get; init; }

    public bool Failed => Hosts.Any(h => h.Error is not null);
}
