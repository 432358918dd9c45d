namespace Drover.Fleet.Config;

/// <summary>
/// <c>hosts.NAME.proxmox</c>: the host is a VM on a Proxmox VE cluster, cloned from a template (see
/// <c>drover proxmox template</c>) and booted with a cloud-init drive whose user-data is the host's rendered user-data
/// (a <c>cicustom</c> snippet) and whose network is the host's <c>network</c> (static) or DHCP.
/// </summary>
public sealed record ProxmoxPlacement
{
    /// <summary>The node the VM runs on; unset: the template's node.</summary>
    public string? Node { get; init; }

    /// <summary>The template: its VMID (digits) or its name.</summary>
    public required string Template { get; init; }

    /// <summary>A full clone (a copy of the template's disk) instead of a linked one (the default).</summary>
    public bool FullClone { get; init; }

    /// <summary>The storage of a full clone's disk; unset: the template's.</summary>
    public string? Storage { get; init; }

    /// <summary>The bridge of the VM's <c>net0</c>.</summary>
    public string Bridge { get; init; } = "vmbr0";

    /// <summary>The storage the user-data snippet goes to (content <c>snippets</c>).</summary>
    public string Snippets { get; init; } = "local";

    /// <summary>The VM's id; unset: the cluster's next free id.</summary>
    public int? VmId { get; init; }

    public int? Cores { get; init; }

    /// <summary>Memory in MiB.</summary>
    public int? Memory { get; init; }
}
