namespace Drover.Fleet.Bootstrap;

/// <summary>Progress of an apply, per host.</summary>
public sealed record BootstrapProgress(string Host, string Step);
