using Drover.Fleet.Bootstrap;
using Drover.Fleet.Config;
using Drover.Proxmox.Contracts;

namespace Drover.Fleet.Proxmox;

/// <summary>The Proxmox part of a bootstrap: one plan per Proxmox host, and the fleet's VMs the file no longer names.</summary>
public sealed record ProxmoxBootstrapPlan(FleetFile Fleet, IReadOnlyList<ProxmoxHostPlan> Hosts, IReadOnlyList<ClusterResource> NotInFile)
{
    public bool HasChanges => Hosts.Any(h => h.Change is HostChange.Create or HostChange.Replace);
}
