using Drover.Hcloud.Contracts;

namespace Drover.Fleet.Bootstrap;

/// <summary>What happened to one host.</summary>
public sealed record HostResult
{
    public required string Host { get; init; }
    public required HostChange Change { get; init; }

    /// <summary>The server as listed after apply (or as it was, for hosts left alone); null when creation failed.</summary>
    public Server? Server { get; init; }

    public required Image Image { get; init; }

    /// <summary>Why this host failed; null on success.</summary>
    public string? Error { get; init; }

    public IReadOnlyList<string> Reasons { get; init; } = [];

    /// <summary>
    /// Another bootstrap of the same fleet created this host's server while this one ran (its create was refused as a
    /// duplicate name, and the server found carries this fleet's and host's labels): kept, not an error.
    /// </summary>
    public bool CreatedByConcurrentRun { get; init; }
}
