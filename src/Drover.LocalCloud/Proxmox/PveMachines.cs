using Drover.LocalCloud.Machines;

namespace Drover.LocalCloud.Proxmox;

/// <summary>
/// The VMs' QEMU machines, on the local cloud's machine layer (registry, namespaces, sweeps). Networking: the bridge
/// <c>vmbr0</c> is the /24 <see cref="Subnet"/>; each VM runs in its own network namespace whose veth carries the VM's
/// address, and QEMU's user network (<c>restrict=on</c>) is that /24 with the gateway at .1 and the VM's address as
/// the first DHCP lease, forwarding the address's port 22 to the guest: the guest agent reports the address the host
/// reaches over SSH.
/// </summary>
public sealed partial class PveMachines
{
    public const string Bridge = "vmbr0";

    /// <summary>vmbr0's network: 198.19.254.0/24 (in the benchmark block the Hetzner servers' addresses use, apart from theirs).</summary>
    public const string Subnet = "198.19.254";

    private readonly MachineRuntime _runtime;

    internal PveMachines(MachineRuntime runtime) => _runtime = runtime;

    /// <summary>The node's resolver as the generated network-config names it when a VM sets none: slirp's DNS.</summary>
    public IReadOnlyList<string> Nameservers => [$"{Subnet}.3"];

    public TimeSpan ShutdownTimeout => _runtime.ShutdownTimeout;

    /// <summary>Why VMs cannot boot here, or null.</summary>
    public string? Unavailable => _runtime.BootsDisabled;
}
