using Drover.Fleet.Bootstrap;
using Drover.Fleet.Config;
using Drover.Proxmox.Contracts;

namespace Drover.Fleet.Proxmox;

/// <summary>What bootstrap does to one Proxmox host, and everything it needs to do it.</summary>
public sealed record ProxmoxHostPlan
{
    public required HostSpec Host { get; init; }

    public required HostChange Change { get; init; }

    /// <summary>The node the VM runs on.</summary>
    public required string Node { get; init; }

    /// <summary>The template it is cloned from.</summary>
    public required ClusterResource Template { get; init; }

    /// <summary>The VM of this host that exists (Keep, NeedsReplace, Replace).</summary>
    public ClusterResource? Existing { get; init; }

    /// <summary>The rendered user-data (the cicustom snippet).</summary>
    public required string UserData { get; init; }

    /// <summary>The tags the VM carries (fleet, host, template and settings digest).</summary>
    public required IReadOnlyList<string> Tags { get; init; }

    /// <summary>Why a replacement is needed.</summary>
    public IReadOnlyList<string> Reasons { get; init; } = [];
}
