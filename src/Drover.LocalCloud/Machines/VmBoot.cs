namespace Drover.LocalCloud.Machines;

/// <summary>
/// What a Proxmox VM's boot needs beyond a server's: QEMU's user network (<paramref name="Network"/> with the gateway
/// at <paramref name="Gateway"/>, the VM's address as the first DHCP lease, no metadata service), memory, cores, its
/// drives (a disk on virtio-scsi, cdroms on IDE) and the guest agent's channel.
/// </summary>
internal sealed record VmBoot(long Vmid, string Network, string Gateway, int MemoryMiB, int Cores, IReadOnlyList<VmDrive> Drives);

/// <summary>One drive of a VM: its config key (<c>scsi0</c>, <c>ide2</c>), its file and format, and whether it is a cdrom.</summary>
internal sealed record VmDrive(string Key, string File, string Format, bool Cdrom);
