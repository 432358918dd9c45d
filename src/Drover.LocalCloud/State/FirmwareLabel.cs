using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Machines;

namespace Drover.LocalCloud.State;

/// <summary>
/// The local cloud's own label <c>localcloud/firmware</c> (the Hetzner API has no such thing): <c>uefi</c> boots an x86
/// server with OVMF instead of SeaBIOS; <c>bios</c> (or no label) keeps SeaBIOS. arm servers always boot UEFI (AAVMF):
/// <c>uefi</c> is accepted there and changes nothing, <c>bios</c> is refused. Any other value is refused too (422
/// <c>invalid_input</c> on create, update and power-on), so that a typo never boots a server with the wrong firmware.
/// Read when QEMU starts (a reset or reboot of a running server keeps the firmware it was started with).
/// </summary>
internal static class FirmwareLabel
{
    public const string Key = "localcloud/firmware";

    /// <summary>The firmware a server of <paramref name="architecture"/> with <paramref name="labels"/> boots, or why the label is wrong.</summary>
    public static (BootFirmware Firmware, string? Problem) Parse(IReadOnlyDictionary<string, string>? labels, Architecture architecture)
    {
        var arm = architecture == Architecture.Arm;
        var fallback = arm ? BootFirmware.Uefi : BootFirmware.Bios;
        if (labels is null || !labels.TryGetValue(Key, out var value))
        {
            return (fallback, null);
        }
        if (string.Equals(value, "uefi", StringComparison.OrdinalIgnoreCase))
        {
            return (BootFirmware.Uefi, null);
        }
        if (string.Equals(value, "bios", StringComparison.OrdinalIgnoreCase))
        {
            return arm
                ? (fallback, $"label {Key}=bios: arm servers always boot UEFI (there is no BIOS for arm); remove the label or set it to uefi")
                : (BootFirmware.Bios, null);
        }
        return (fallback, $"label {Key}='{value}' is not one of bios, uefi (the local cloud's firmware for x86 servers: bios = SeaBIOS, the default, uefi = OVMF)");
    }
}
