namespace Drover.LocalCloud.Machines;

/// <summary>
/// What a server's QEMU boots first: SeaBIOS (x86 only, like Hetzner's x86 servers) or UEFI (AAVMF on arm, always; OVMF
/// on x86 when the server carries <c>localcloud/firmware=uefi</c>, see <see cref="State.FirmwareLabel"/>).
/// </summary>
internal enum BootFirmware
{
    Bios,
    Uefi,
}
