using System.Globalization;
using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Tests.Support;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.LocalCloud.Tests;

/// <summary>
/// UEFI boots without an OS: an arm server (cax11) runs AAVMF under <c>qemu-system-aarch64</c>, an x86 server labelled
/// <c>localcloud/firmware=uefi</c> runs OVMF. Their disk is <see cref="UefiDisk"/>'s: the firmware's UEFI shell runs its
/// <c>startup.nsh</c>, which prints a marker and the SMBIOS system (Hetzner's, serial = server ID) to the console and
/// turns the machine off, so the server ends up off. Skipped, with the reason, where the firmware or emulator is missing.
/// </summary>
[MachineTier]
public sealed class UefiBootTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_cax_server_boots_aavmf_under_qemu_system_aarch64_which_sees_hetzners_smbios_and_its_nvram_goes_with_the_server()
    {
        // Arrange
        await using var cloud = await StartAsync("arm");
        var marker = $"DROVER-AAVMF-{Guid.NewGuid():N}"[..24];
        var image = await BootTests.SeedBootableSnapshotAsync(cloud, Script(marker), architecture: "arm");

        // Act
        var server = await BootTests.CreateServerAsync(cloud, "uefi-arm", image, type: "cax11");
        var status = await BootTests.WaitForStatusAsync(cloud, server.Id, ServerStatus.Off);
        var console = await BootTests.ConsoleAsync(cloud, server.Id, markers: false);
        var qemu = (await cloud.MachineOfAsync(server.Id)).LastQemu.ShouldNotBeNull("the boot is described after it ended");
        var vars = qemu.FirmwareVars.ShouldNotBeNull("a UEFI boot has a variable store of its own");
        var varsAfterBoot = File.Exists(vars) ? new FileInfo(vars).Length : -1;
        await cloud.Client.Actions.WaitAsync([await cloud.Client.Servers.DeleteAsync(server.Id, Ct)], cancellationToken: Ct);

        // Assert
        status.ShouldBe(ServerStatus.Off, $"the UEFI shell's 'reset -s' turns the machine off; console:\n{console}");
        console.ShouldContain("UEFI firmware (version", customMessage: "AAVMF's banner on the PL011");
        console.ShouldContain(marker);
        AssertSmbios(console, server.Id);
        qemu.Architecture.ShouldBe("arm");
        qemu.Firmware.ShouldBe("uefi");
        vars.ShouldEndWith($"server-{server.Id.ToString(CultureInfo.InvariantCulture)}.aavmf-vars.fd");
        varsAfterBoot.ShouldBe(new FileInfo("/usr/share/AAVMF/AAVMF_VARS.fd").Length, "the variable store (the template's size) outlives the boot: NVRAM survives a power cycle");
        File.Exists(vars).ShouldBeFalse("deleting the server deletes its variable store");
        (await BootTests.LeftoversAsync(qemu, "qemu-system-aarch64")).ShouldBeEmpty();
    }

    [Fact]
    public async Task An_x86_server_labelled_for_uefi_boots_ovmf_which_sees_hetzners_smbios()
    {
        // Arrange
        await using var cloud = await StartAsync("x86");
        var marker = $"DROVER-OVMF-{Guid.NewGuid():N}"[..24];
        var image = await BootTests.SeedBootableSnapshotAsync(cloud, Script(marker));

        // Act
        var server = await BootTests.CreateServerAsync(cloud, "uefi-x86", image, labels: new() { ["localcloud/firmware"] = "uefi" });
        var status = await BootTests.WaitForStatusAsync(cloud, server.Id, ServerStatus.Off);
        var console = await BootTests.ConsoleAsync(cloud, server.Id, markers: false);
        var qemu = (await cloud.MachineOfAsync(server.Id)).LastQemu.ShouldNotBeNull("the boot is described after it ended");

        // Assert
        status.ShouldBe(ServerStatus.Off, $"the UEFI shell's 'reset -s' turns the machine off; console:\n{console}");
        console.ShouldContain("BdsDxe:", customMessage: "OVMF's boot manager on ttyS0 (SeaBIOS prints nothing there)");
        console.ShouldContain(marker);
        AssertSmbios(console, server.Id);
        qemu.Architecture.ShouldBe("x86");
        qemu.Firmware.ShouldBe("uefi");
        qemu.FirmwareVars.ShouldNotBeNull().ShouldEndWith(".ovmf-vars.fd");
        File.Exists(qemu.FirmwareVars).ShouldBeTrue();
        (await BootTests.LeftoversAsync(qemu)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Without_qemu_system_aarch64_status_says_arm_is_unavailable_and_a_cax_servers_boot_fails_naming_the_package()
    {
        // Arrange
        MachineHarness.SkipUnlessMachines();
        if (MachineSupportProbe.Probe() is { Boot: MachineSupportProbe.NoBoot } support)
        {
            Assert.Skip($"QEMU boots cannot run here: {support.BootReason}");
        }
        await using var cloud = await MachineHarness.StartAsync(configure: o => o with { TreatAsMissing = new HashSet<string> { "qemu-system-aarch64" } });
        var image = await BootTests.SeedBootableSnapshotAsync(cloud, Script("DROVER-NEVER-PRINTED"), architecture: "arm");

        // Act
        using var statusReply = await cloud.Cloud.ControlAsync(HttpMethod.Get, "status");
        var status = System.Text.Json.JsonSerializer.Deserialize(await statusReply.Content.ReadAsStringAsync(Ct), LocalCloudJsonContext.Default.ControlStatus)!;
        var created = await cloud.Client.Servers.CreateAsync(new CreateServerRequest { Name = "no-arm", ServerType = "cax11", Image = image, Location = "fsn1" }, Ct);
        var failure = await Should.ThrowAsync<Hcloud.ActionFailedException>(() => cloud.Client.Actions.WaitAsync([created.Action, .. created.NextActions], cancellationToken: Ct));
        var server = await cloud.Client.Servers.GetAsync(created.Server.Id, Ct);
        var machine = await cloud.MachineOfAsync(created.Server.Id);

        // Assert
        var arm = status.Machine.Architectures.ShouldNotBeNull().Single(a => a.Architecture == "arm");
        arm.Available.ShouldBeFalse();
        arm.Reason.ShouldNotBeNull().ShouldContain("install Debian's qemu-system-arm");
        status.Machine.BootReason.ShouldNotBeNull().ShouldContain("arm: unavailable (qemu-system-aarch64 not found");
        failure.Action.Command.ShouldBe("start_server");
        failure.Action.Error!.Message.ShouldContain("qemu-system-aarch64 not found: install Debian's qemu-system-arm");
        server!.Status.ShouldBe(ServerStatus.Off);
        machine.LastQemu.ShouldBeNull("nothing was started");
    }

    /// <summary>Skips unless QEMU boots work here and <paramref name="architecture"/> boots UEFI.</summary>
    private static async Task<MachineHarness> StartAsync(string architecture)
    {
        MachineHarness.SkipUnlessMachines();
        var support = MachineSupportProbe.Probe();
        var uefi = support.Architectures?.FirstOrDefault(a => a.Architecture == architecture);
        if (support.Boot == MachineSupportProbe.NoBoot || uefi is null || !uefi.Firmware.Contains("uefi"))
        {
            Assert.Skip($"{architecture} UEFI boots cannot run here: {uefi?.Reason ?? support.BootReason}");
        }
        return await BootTests.StartAsync();
    }

    private static byte[] Script(string marker) => UefiDisk.StartupScript($"echo {marker}", "smbiosview -t 1", "reset -s");

    private static void AssertSmbios(string console, long serverId)
    {
        console.ShouldContain("Manufacturer: Hetzner");
        console.ShouldContain("ProductName: vServer");
        console.ShouldContain($"SerialNumber: {serverId.ToString(CultureInfo.InvariantCulture)}");
    }
}
