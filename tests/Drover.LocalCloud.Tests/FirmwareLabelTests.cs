using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Machines;
using Drover.LocalCloud.State;
using Drover.LocalCloud.Tests.Support;
using Shouldly;
using Xunit;

namespace Drover.LocalCloud.Tests;

/// <summary>
/// The local cloud's own label <c>localcloud/firmware</c>: parsed per architecture, and a value a server cannot boot
/// with refused by the API (create, update, power-on) before anything changes.
/// </summary>
public sealed class FirmwareLabelTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("x86", null, "Bios")]
    [InlineData("x86", "bios", "Bios")]
    [InlineData("x86", "uefi", "Uefi")]
    [InlineData("x86", "UEFI", "Uefi")]
    [InlineData("arm", null, "Uefi")]
    [InlineData("arm", "uefi", "Uefi")]
    public void The_label_picks_the_firmware_and_arm_is_always_uefi(string architecture, string? value, string expected)
    {
        // Arrange
        var labels = value is null ? new Dictionary<string, string> { ["other"] = "x" } : new Dictionary<string, string> { [FirmwareLabel.Key] = value };

        // Act
        var (firmware, problem) = FirmwareLabel.Parse(labels, Architecture.From(architecture));

        // Assert
        firmware.ShouldBe(Enum.Parse<BootFirmware>(expected));
        problem.ShouldBeNull();
    }

    [Theory]
    [InlineData("x86", "efi", "is not one of bios, uefi")]
    [InlineData("x86", "", "is not one of bios, uefi")]
    [InlineData("arm", "ovmf", "is not one of bios, uefi")]
    [InlineData("arm", "bios", "arm servers always boot UEFI")]
    public void A_value_a_server_cannot_boot_with_is_a_problem_naming_the_label(string architecture, string value, string expected)
    {
        // Act
        var (_, problem) = FirmwareLabel.Parse(new Dictionary<string, string> { [FirmwareLabel.Key] = value }, Architecture.From(architecture));

        // Assert
        problem.ShouldNotBeNull().ShouldContain("localcloud/firmware");
        problem.ShouldContain(expected);
    }

    [Theory]
    [InlineData("cx23", "efi")]
    [InlineData("cax11", "bios")]
    public async Task Creating_a_server_with_a_firmware_label_it_cannot_boot_with_is_refused_and_creates_nothing(string type, string value)
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();

        // Act
        var reply = await cloud.PostAsync("servers", $$"""{"name": "fw", "server_type": "{{type}}", "image": "debian-12", "labels": {"localcloud/firmware": "{{value}}"} }""", Ct);
        var after = await cloud.GetAsync("servers", Ct);

        // Assert
        reply.Status.ShouldBe(422, reply.Body);
        reply.ErrorCode.ShouldBe("invalid_input");
        reply.ErrorMessage.ShouldContain("localcloud/firmware");
        CloudHarness.Pagination(after).GetProperty("total_entries").GetInt32().ShouldBe(0);
    }

    [Theory]
    [InlineData("cx23")]
    [InlineData("cax11")]
    public async Task Uefi_is_accepted_on_both_architectures(string type)
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();

        // Act
        var id = await cloud.CreateServerAsync("fw", Ct, type, """{"localcloud/firmware": "uefi"}""", image: "debian-12");

        // Assert
        (await cloud.Client.Servers.GetAsync(id, Ct))!.Labels["localcloud/firmware"].ShouldBe("uefi");
    }

    [Fact]
    public async Task Updating_a_servers_labels_to_a_wrong_firmware_is_refused_and_keeps_its_labels()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        var id = await cloud.CreateRunningServerAsync("fw", Ct, "cx23", """{"localcloud/firmware": "uefi"}""");

        // Act
        var reply = await cloud.PutAsync($"servers/{id}", """{"labels": {"localcloud/firmware": "seabios"}}""", Ct);
        var server = await cloud.Client.Servers.GetAsync(id, Ct);

        // Assert
        reply.Status.ShouldBe(422, reply.Body);
        reply.ErrorCode.ShouldBe("invalid_input");
        reply.ErrorMessage.ShouldContain("'seabios' is not one of bios, uefi");
        server!.Labels["localcloud/firmware"].ShouldBe("uefi");
    }
}
