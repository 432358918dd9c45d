namespace Drover.LocalCloud.Machines;

/// <summary>What a QEMU boot of a server needs, captured when its power action starts.</summary>
/// <param name="ServerId">The server (also its SMBIOS serial, as the metadata's instance-id).</param>
/// <param name="Address">The server's public IPv4 (null if it has none: the boot cannot start).</param>
/// <param name="MacAddress">The MAC of its virtio NIC.</param>
/// <param name="DiskBytes">The disk's size.</param>
internal sealed record BootSpec(long ServerId, string? Address, string MacAddress, long DiskBytes);

/// <summary>Which power action boots: a running guest is left alone by a power-on and reset by the others.</summary>
internal enum BootKind
{
    PowerOn,
    Reset,
    Reboot,
}
