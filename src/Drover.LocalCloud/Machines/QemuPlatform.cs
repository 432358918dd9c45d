using Drover.Hcloud.Contracts;

namespace Drover.LocalCloud.Machines;

/// <summary>UEFI firmware as two flash images: the code (read-only, shared) and the template of a server's own variables.</summary>
/// <param name="Name">AAVMF or OVMF.</param>
/// <param name="Code">The firmware's code, mapped read-only.</param>
/// <param name="VarsTemplate">The empty variable store each server's own copy starts from.</param>
/// <param name="Package">The Debian package that installs both.</param>
/// <param name="VarsSuffix">
/// How a server's copy is named next to its disk: <c>disks/server-ID.raw</c> has <c>disks/server-ID{VarsSuffix}</c>.
/// </param>
internal sealed record UefiFirmware(string Name, string Code, string VarsTemplate, string Package, string VarsSuffix)
{
    /// <summary>The server's variable store (NVRAM: boot entries survive reboots), next to its disk.</summary>
    public string VarsFileOf(string disk) => Path.ChangeExtension(disk, VarsSuffix);
}

/// <summary>
/// What boots a guest of one architecture with one firmware: the emulator and the firmware files, each with the Debian
/// package that installs it. The one place that names them.
/// </summary>
/// <param name="Architecture">x86 or arm (the server type's).</param>
/// <param name="Firmware">SeaBIOS (built into QEMU's x86 package) or UEFI.</param>
/// <param name="Emulator">The QEMU program.</param>
/// <param name="EmulatorPackage">The Debian package that installs it.</param>
/// <param name="Uefi">The UEFI flash images, null for SeaBIOS.</param>
internal sealed record QemuPlatform(Architecture Architecture, BootFirmware Firmware, string Emulator, string EmulatorPackage, UefiFirmware? Uefi)
{
    /// <summary>arm's UEFI (Debian's AAVMF, 64 MiB flash images).</summary>
    public static readonly UefiFirmware Aavmf = new("AAVMF", "/usr/share/AAVMF/AAVMF_CODE.fd", "/usr/share/AAVMF/AAVMF_VARS.fd", "qemu-efi-aarch64", ".aavmf-vars.fd");

    /// <summary>x86's UEFI (Debian's OVMF with a 4 MiB layout, without Secure Boot: it needs no SMM, so QEMU's default pc machine runs it).</summary>
    public static readonly UefiFirmware Ovmf = new("OVMF", "/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd", "ovmf", ".ovmf-vars.fd");

    public static readonly QemuPlatform X86Bios = new(Architecture.X86, BootFirmware.Bios, "qemu-system-x86_64", "qemu-system-x86", null);
    public static readonly QemuPlatform X86Uefi = X86Bios with { Firmware = BootFirmware.Uefi, Uefi = Ovmf };
    public static readonly QemuPlatform ArmUefi = new(Architecture.Arm, BootFirmware.Uefi, "qemu-system-aarch64", "qemu-system-arm", Aavmf);

    /// <summary>Every platform, for the boot-support probe.</summary>
    public static IReadOnlyList<QemuPlatform> All { get; } = [X86Bios, X86Uefi, ArmUefi];

    /// <summary>Every variable store a server may have next to <paramref name="disk"/> (whatever it booted with): what deleting it removes.</summary>
    public static IEnumerable<string> VarsFilesOf(string disk) => new[] { Aavmf, Ovmf }.Select(u => u.VarsFileOf(disk));

    /// <summary>The file name suffixes of variable stores (to tell them from stray files in <c>disks/</c>).</summary>
    public static IEnumerable<string> VarsSuffixes => new[] { Aavmf, Ovmf }.Select(u => u.VarsSuffix);

    /// <summary>The platform of a server of <paramref name="architecture"/> booting <paramref name="firmware"/>.</summary>
    public static QemuPlatform For(Architecture architecture, BootFirmware firmware)
    {
        if (architecture == Architecture.Arm)
        {
            return firmware == BootFirmware.Uefi ? ArmUefi : throw new MachineException("arm servers boot UEFI only");
        }
        if (architecture == Architecture.X86)
        {
            return firmware == BootFirmware.Uefi ? X86Uefi : X86Bios;
        }
        throw new MachineException($"the local cloud does not boot servers of architecture {architecture}");
    }

    /// <summary>The accelerator: KVM when asked for (<c>DROVER_LOCALCLOUD_ACCEL=kvm</c>) and the guest is the host's own architecture, else TCG.</summary>
    public string Accelerator
    {
        get
        {
            var kvm = string.Equals(Environment.GetEnvironmentVariable("DROVER_LOCALCLOUD_ACCEL"), "kvm", StringComparison.OrdinalIgnoreCase);
            var native = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
            {
                System.Runtime.InteropServices.Architecture.X64 => Architecture == Architecture.X86,
                System.Runtime.InteropServices.Architecture.Arm64 => Architecture == Architecture.Arm,
                _ => false,
            };
            return kvm && native ? "kvm" : "tcg";
        }
    }

    /// <summary>Short name for messages and status: <c>x86 bios</c>, <c>x86 uefi</c>, <c>arm uefi</c>.</summary>
    public override string ToString() => $"{Architecture} {Firmware.ToString().ToLowerInvariant()}";

    /// <summary>
    /// Why this platform cannot boot here (a program or a firmware file missing, naming the package), or null;
    /// <paramref name="treatAsMissing"/> names programs and files to take as missing although installed.
    /// </summary>
    public string? Problem(IReadOnlySet<string>? treatAsMissing = null)
        => Problem(FindProgram(treatAsMissing), FileExists(treatAsMissing));

    /// <summary>The host's program lookup, except for <paramref name="treatAsMissing"/>.</summary>
    public static Func<string, string?> FindProgram(IReadOnlySet<string>? treatAsMissing)
        => name => treatAsMissing?.Contains(name) == true ? null : HostCommand.Find(name);

    /// <summary>The host's file check, except for <paramref name="treatAsMissing"/>.</summary>
    public static Func<string, bool> FileExists(IReadOnlySet<string>? treatAsMissing)
        => path => treatAsMissing?.Contains(path) != true && File.Exists(path);

    /// <summary><see cref="Problem(IReadOnlySet{string})"/> with the host's lookups given (for tests).</summary>
    internal string? Problem(Func<string, string?> findProgram, Func<string, bool> fileExists)
    {
        if (findProgram(Emulator) is null)
        {
            return $"{Emulator} not found: install Debian's {EmulatorPackage} ('bash scripts/setup' does)";
        }
        if (Uefi is { } uefi && new[] { uefi.Code, uefi.VarsTemplate }.FirstOrDefault(f => !fileExists(f)) is { } missing)
        {
            return $"{uefi.Name} firmware {missing} not found: install Debian's {uefi.Package} ('bash scripts/setup' does)";
        }
        return null;
    }
}
