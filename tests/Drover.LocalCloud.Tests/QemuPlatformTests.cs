using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Machines;
using Shouldly;
using Xunit;

namespace Drover.LocalCloud.Tests;

/// <summary>
/// QEMU's command line per architecture and firmware (x86 with SeaBIOS, x86 with OVMF, arm with AAVMF), the firmware
/// files and packages, and the per-architecture boot-support probe, with the host's lookups faked.
/// </summary>
public sealed class QemuPlatformTests
{
    private const long ServerId = 4711;
    private static readonly QemuFiles _files = new("/m/disks/server-4711.raw", "/m/disks/server-4711.vars", "/m/qemu/ns", "qmp.sock", "/m/console/server-4711", 40123);

    public static TheoryData<string> Platforms => ["x86 bios", "x86 uefi", "arm uefi"];

    [Fact]
    public void Arm_boots_the_virt_machine_with_a_neoverse_n1_aavmf_from_two_pflash_drives_the_pl011_console_and_a_virtio_markers_port()
    {
        // Arrange
        var spec = Spec(Architecture.Arm, BootFirmware.Uefi);

        // Act
        var arguments = QemuMachine.Arguments(spec, QemuPlatform.ArmUefi, _files, "tcg", "/usr/bin/nc");

        // Assert
        QemuPlatform.ArmUefi.Emulator.ShouldBe("qemu-system-aarch64");
        Values(arguments, "-machine").ShouldBe(["virt,gic-version=3"]);
        Values(arguments, "-cpu").ShouldBe(["neoverse-n1"]);
        Values(arguments, "-drive").Where(d => d.StartsWith("if=pflash", StringComparison.Ordinal)).ShouldBe(
        [
            "if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/AAVMF/AAVMF_CODE.fd",
            "if=pflash,format=raw,unit=1,file=/m/disks/server-4711.vars",
        ]);
        Values(arguments, "-boot").ShouldBe(["menu=on,splash-time=0"]);
        Values(arguments, "-serial").ShouldBe(["file:/m/console/server-4711/console.log"], "the virt machine has one UART: the console");
        Values(arguments, "-chardev").ShouldBe(["file,id=markers,path=/m/console/server-4711/markers.log"]);
        Values(arguments, "-device").ShouldContain("virtio-serial-pci,id=vser0");
        Values(arguments, "-device").ShouldContain("virtserialport,bus=vser0.0,chardev=markers,name=org.drover.markers");
        arguments.ShouldNotContain("-vga");
    }

    [Fact]
    public void X86_with_bios_boots_the_default_pc_machine_with_seabios_and_two_serial_ports()
    {
        // Arrange
        var spec = Spec(Architecture.X86, BootFirmware.Bios);

        // Act
        var arguments = QemuMachine.Arguments(spec, QemuPlatform.X86Bios, _files with { FirmwareVars = null }, "tcg", "/usr/bin/nc");

        // Assert
        QemuPlatform.X86Bios.Emulator.ShouldBe("qemu-system-x86_64");
        arguments.ShouldNotContain("-machine");
        arguments.ShouldNotContain("-cpu");
        arguments.ShouldNotContain("-boot");
        Values(arguments, "-drive").ShouldNotContain(d => d.Contains("pflash", StringComparison.Ordinal));
        Values(arguments, "-serial").ShouldBe(["file:/m/console/server-4711/console.log", "file:/m/console/server-4711/markers.log"]);
        arguments.ShouldNotContain("-chardev");
        Values(arguments, "-vga").ShouldBe(["none"]);
    }

    [Fact]
    public void X86_with_uefi_adds_ovmf_from_two_pflash_drives_and_keeps_both_serial_ports()
    {
        // Arrange
        var spec = Spec(Architecture.X86, BootFirmware.Uefi);

        // Act
        var arguments = QemuMachine.Arguments(spec, QemuPlatform.X86Uefi, _files, "tcg", "/usr/bin/nc");

        // Assert
        QemuPlatform.X86Uefi.Emulator.ShouldBe("qemu-system-x86_64");
        arguments.ShouldNotContain("-machine", "OVMF without Secure Boot needs no SMM: the default pc machine runs it");
        Values(arguments, "-drive").Where(d => d.StartsWith("if=pflash", StringComparison.Ordinal)).ShouldBe(
        [
            "if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd",
            "if=pflash,format=raw,unit=1,file=/m/disks/server-4711.vars",
        ]);
        Values(arguments, "-boot").ShouldBe(["menu=on,splash-time=0"]);
        Values(arguments, "-serial").ShouldBe(["file:/m/console/server-4711/console.log", "file:/m/console/server-4711/markers.log"]);
    }

    [Theory]
    [MemberData(nameof(Platforms))]
    public void Every_platform_has_the_disk_on_virtio_scsi_restricted_user_networking_hetzners_smbios_virtio_rng_and_qmp(string platform)
    {
        // Arrange
        var chosen = QemuPlatform.All.Single(p => p.ToString() == platform);

        // Act
        var arguments = QemuMachine.Arguments(Spec(chosen.Architecture, chosen.Firmware), chosen, _files, "tcg", "/usr/bin/nc");

        // Assert
        Values(arguments, "-accel").ShouldBe(["tcg"]);
        arguments.ShouldContain("-nodefaults");
        Values(arguments, "-smbios").ShouldBe(["type=1,manufacturer=Hetzner,product=vServer,serial=4711"]);
        Values(arguments, "-device").ShouldContain("virtio-scsi-pci,id=scsi0");
        Values(arguments, "-device").ShouldContain("scsi-hd,drive=disk0,bus=scsi0.0,bootindex=0");
        Values(arguments, "-drive").ShouldContain("file=/m/disks/server-4711.raw,format=raw,if=none,id=disk0,cache=writeback,discard=unmap");
        var netdev = Values(arguments, "-netdev").ShouldHaveSingleItem();
        netdev.ShouldStartWith("user,id=n0,restrict=on,");
        netdev.ShouldContain($",guestfwd=tcp:169.254.169.254:80-cmd:/usr/bin/nc {MachineRuntime.HostAddress} 40123");
        netdev.ShouldEndWith(",hostfwd=tcp:127.0.0.1:22-:22");
        Values(arguments, "-device").ShouldContain("virtio-net-pci,netdev=n0,mac=96:00:00:00:12:67");
        Values(arguments, "-device").ShouldContain("virtio-rng-pci,rng=rng0");
        Values(arguments, "-qmp").ShouldBe(["unix:qmp.sock,server=on,wait=off"]);
        Values(arguments, "-pidfile").ShouldBe(["/m/qemu/ns/qemu.pid"]);
    }

    [Fact]
    public void Kvm_on_an_arm_guest_takes_the_hosts_cpu()
    {
        // Act
        var arguments = QemuMachine.Arguments(Spec(Architecture.Arm, BootFirmware.Uefi), QemuPlatform.ArmUefi, _files, "kvm", "nc");

        // Assert
        Values(arguments, "-cpu").ShouldBe(["host"]);
        Values(arguments, "-accel").ShouldBe(["kvm"]);
    }

    [Fact]
    public void For_picks_the_emulator_and_firmware_of_an_architecture_and_refuses_bios_on_arm()
    {
        // Act
        var x86 = QemuPlatform.For(Architecture.X86, BootFirmware.Bios);
        var x86Uefi = QemuPlatform.For(Architecture.X86, BootFirmware.Uefi);
        var arm = QemuPlatform.For(Architecture.Arm, BootFirmware.Uefi);
        var armBios = Should.Throw<MachineException>(() => QemuPlatform.For(Architecture.Arm, BootFirmware.Bios));
        var other = Should.Throw<MachineException>(() => QemuPlatform.For(Architecture.From("riscv"), BootFirmware.Uefi));

        // Assert
        x86.ShouldBe(QemuPlatform.X86Bios);
        x86.Uefi.ShouldBeNull();
        x86Uefi.Uefi.ShouldBe(QemuPlatform.Ovmf);
        arm.Uefi.ShouldBe(QemuPlatform.Aavmf);
        armBios.Message.ShouldContain("UEFI only");
        other.Message.ShouldContain("riscv");
    }

    [Fact]
    public void A_servers_variable_store_is_named_after_its_disk_and_its_firmware()
    {
        // Act
        var aavmf = QemuPlatform.Aavmf.VarsFileOf("/m/disks/server-7.raw");
        var ovmf = QemuPlatform.Ovmf.VarsFileOf("/m/disks/server-7.raw");
        var all = QemuPlatform.VarsFilesOf("/m/disks/server-7.raw");

        // Assert
        aavmf.ShouldBe("/m/disks/server-7.aavmf-vars.fd");
        ovmf.ShouldBe("/m/disks/server-7.ovmf-vars.fd");
        all.ShouldBe([aavmf, ovmf], ignoreOrder: true);
    }

    [Theory]
    [InlineData("arm uefi", "qemu-system-aarch64", "qemu-system-arm")]
    [InlineData("arm uefi", "/usr/share/AAVMF/AAVMF_CODE.fd", "qemu-efi-aarch64")]
    [InlineData("arm uefi", "/usr/share/AAVMF/AAVMF_VARS.fd", "qemu-efi-aarch64")]
    [InlineData("x86 uefi", "/usr/share/OVMF/OVMF_CODE_4M.fd", "ovmf")]
    [InlineData("x86 uefi", "/usr/share/OVMF/OVMF_VARS_4M.fd", "ovmf")]
    [InlineData("x86 bios", "qemu-system-x86_64", "qemu-system-x86")]
    public void A_missing_emulator_or_firmware_file_is_named_with_the_debian_package_that_installs_it(string platform, string missing, string package)
    {
        // Arrange
        var chosen = QemuPlatform.All.Single(p => p.ToString() == platform);

        // Act
        var problem = chosen.Problem(p => p == missing ? null : "/usr/bin/" + p, f => f != missing);
        var none = chosen.Problem(p => "/usr/bin/" + p, _ => true);

        // Assert
        problem.ShouldNotBeNull().ShouldContain(missing);
        problem.ShouldContain($"install Debian's {package}");
        none.ShouldBeNull();
    }

    [Fact]
    public void The_probe_reports_arm_unavailable_without_qemu_system_aarch64_and_x86_bios_only_without_ovmf()
    {
        // Act
        var architectures = MachineSupportProbe.ProbeArchitectures(
            p => p == "qemu-system-aarch64" ? null : "/usr/bin/" + p,
            f => !f.StartsWith("/usr/share/OVMF/", StringComparison.Ordinal));

        // Assert
        var x86 = architectures.Single(a => a.Architecture == "x86");
        var arm = architectures.Single(a => a.Architecture == "arm");
        x86.Available.ShouldBeTrue();
        x86.Firmware.ShouldBe(["bios"]);
        x86.Reason.ShouldNotBeNull().ShouldStartWith("uefi unavailable: OVMF firmware /usr/share/OVMF/OVMF_CODE_4M.fd not found: install Debian's ovmf");
        arm.Available.ShouldBeFalse();
        arm.Firmware.ShouldBeEmpty();
        arm.Accelerator.ShouldBeNull();
        arm.Reason.ShouldNotBeNull().ShouldStartWith("qemu-system-aarch64 not found: install Debian's qemu-system-arm");
        MachineSupportProbe.Describe(arm).ShouldStartWith("arm: unavailable (qemu-system-aarch64 not found");
        MachineSupportProbe.Describe(x86).ShouldStartWith("x86: bios (uefi unavailable");
    }

    [Fact]
    public void The_probe_reports_every_firmware_of_both_architectures_when_everything_is_installed()
    {
        // Act
        var architectures = MachineSupportProbe.ProbeArchitectures(p => "/usr/bin/" + p, _ => true);

        // Assert
        architectures.Select(MachineSupportProbe.Describe).ShouldBe(["x86: bios, uefi", "arm: uefi"]);
        architectures.ShouldAllBe(a => a.Available && a.Reason == null && a.Accelerator != null);
    }

    private static BootSpec Spec(Architecture architecture, BootFirmware firmware)
        => new(ServerId, "198.19.0.5", State.LocalCloudState.MacOf(ServerId), 40L << 30, architecture, firmware);

    /// <summary>The value after each occurrence of <paramref name="option"/>.</summary>
    private static List<string> Values(IReadOnlyList<string> arguments, string option)
        => [.. arguments.Select((a, i) => (a, i)).Where(x => x.a == option && x.i + 1 < arguments.Count).Select(x => arguments[x.i + 1])];
}
