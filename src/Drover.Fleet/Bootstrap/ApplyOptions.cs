namespace Drover.Fleet.Bootstrap;

/// <summary>How bootstrap applies a plan.</summary>
public sealed record ApplyOptions
{
    /// <summary>Hosts worked on at once. 1 is the sequential baseline: create one, wait for it, then the next.</summary>
    public int Parallelism { get; init; } = 16;
}
