using Drover.Hcloud.Contracts;

namespace Drover.LocalCloud.Machines;

/// <summary>What a QEMU boot of a server needs, captured when its power action starts.</summary>
/// <param name="ServerId">The server (also its SMBIOS serial, as the metadata's instance-id).</param>
/// <param name="Address">The server's public IPv4 (null if it has none: the boot cannot start).</param>
/// <param name="MacAddress">The MAC of its virtio NIC.</param>
/// <param name="DiskBytes">The disk's size.</param>
/// <param name="Architecture">The server type's: x86 boots under <c>qemu-system-x86_64</c>, arm under <c>qemu-system-aarch64</c>.</param>
/// <param name="Firmware">UEFI on arm always; on x86 SeaBIOS unless the server carries <c>localcloud/firmware=uefi</c>.</param>
/// <param name="Vm">A local Proxmox VE VM's network, drives and guest agent (null for a server).</param>
internal sealed record BootSpec(long ServerId, string? Address, string MacAddress, long DiskBytes, Architecture Architecture, BootFirmware Firmware, VmBoot? Vm = null);

/// <summary>Which power action boots: a running guest is left alone by a power-on and reset by the others.</summary>
internal enum BootKind
{
    PowerOn,
    Reset,
    Reboot,
}
