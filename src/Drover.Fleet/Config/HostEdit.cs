namespace Drover.Fleet.Config;

/// <summary>What <see cref="FleetFileWriter.SetHost"/> did: whether the file changed, and the host as the file now has it.</summary>
public sealed record HostEdit(bool Changed, HostSpec Host, FleetFile Fleet);
