using Drover.Fleet.Config;
using Drover.Hcloud.Contracts;

namespace Drover.Fleet.Bootstrap;

/// <summary>The whole plan: per host, the keys, and servers of the fleet the file no longer names (never touched).</summary>
public sealed record BootstrapPlan
{
    public required FleetFile Fleet { get; init; }
    public required IReadOnlyList<HostPlan> Hosts { get; init; }
    public required IReadOnlyList<SshKeyPlan> SshKeys { get; init; }

    /// <summary>Servers labelled with this fleet whose host is not in the file (or was not selected): reported, never deleted.</summary>
    public IReadOnlyList<Server> NotInFile { get; init; } = [];

    /// <summary>API requests the plan took.</summary>
    public long Requests { get; init; }

    public bool HasChanges => Hosts.Any(h => h.Change is HostChange.Create or HostChange.Update or HostChange.Replace)
        || SshKeys.Any(k => k.Existing is null);
}
