namespace Drover.LocalCloud.Proxmox;

/// <summary>One VM of the node: its configuration, the lock a running task holds on it, and its run while it runs.</summary>
public sealed class PveVm(long vmid, PveVmConfig config)
{
    public long Vmid { get; } = vmid;

    public PveVmConfig Config { get; set; } = config;

    /// <summary><c>create</c>, <c>clone</c>, <c>migrate</c>… while a task works on it (qemu-server's config lock).</summary>
    public string? Lock { get; set; }

    /// <summary>Whether the VM runs (its QEMU, or only its state when machines are off).</summary>
    public PveRun? Run { get; set; }

    /// <summary>Set while a create or clone task builds it: the VM is not listed and its ID is taken.</summary>
    public bool Building { get; set; }
}

/// <summary>A running VM: when it started, and its QEMU machine (null when the local cloud runs API-only).</summary>
public sealed class PveRun(long startedAt, PveMachine? machine)
{
    public long StartedAt { get; } = startedAt;

    public PveMachine? Machine { get; } = machine;
}
