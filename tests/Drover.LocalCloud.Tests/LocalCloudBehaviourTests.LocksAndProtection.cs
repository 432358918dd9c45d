using Drover.Hcloud;
using Drover.LocalCloud.Tests.Support;
using Shouldly;
using Xunit;

namespace Drover.LocalCloud.Tests;

public sealed partial class LocalCloudBehaviourTests
{
    [Fact]
    public async Task A_server_with_a_running_action_is_locked()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync(autoAdvance: false);
        var id = await cloud.CreateServerAsync("web-1", Ct);

        // Act
        var shown = await cloud.GetAsync($"servers/{id}", Ct);
        var raw = await cloud.PostAsync($"servers/{id}/actions/poweroff", null, Ct);
        var error = await Should.ThrowAsync<HcloudApiException>(() => cloud.Client.Servers.PowerOffAsync(id, Ct));
        cloud.FinishActions();
        var afterwards = await cloud.PostAsync($"servers/{id}/actions/poweroff", null, Ct);

        // Assert
        shown.Json.GetProperty("server").GetProperty("locked").GetBoolean().ShouldBeTrue();
        raw.Status.ShouldBe(423);
        raw.ErrorCode.ShouldBe("locked");
        error.Code.ShouldBe(ErrorCode.Locked);
        afterwards.Status.ShouldBe(201);
    }

    [Fact]
    public async Task Deleting_a_delete_protected_server_is_423_protected()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync(autoAdvance: false);
        var id = await cloud.CreateRunningServerAsync("web-1", Ct);
        (await cloud.PostAsync($"servers/{id}/actions/change_protection", """{"delete": true, "rebuild": true}""", Ct)).Status.ShouldBe(201);
        cloud.FinishActions();

        // Act
        var delete = await cloud.DeleteAsync($"servers/{id}", Ct);
        var rebuild = await cloud.PostAsync($"servers/{id}/actions/rebuild", """{"image": "debian-12"}""", Ct);
        var error = await Should.ThrowAsync<HcloudApiException>(() => cloud.Client.Servers.DeleteAsync(id, Ct));
        var shown = await cloud.GetAsync($"servers/{id}", Ct);
        (await cloud.PostAsync($"servers/{id}/actions/change_protection", """{"delete": false}""", Ct)).Status.ShouldBe(201);
        cloud.FinishActions();
        var unprotected = await cloud.DeleteAsync($"servers/{id}", Ct);

        // Assert
        delete.Status.ShouldBe(423);
        delete.ErrorCode.ShouldBe("protected");
        rebuild.Status.ShouldBe(423);
        rebuild.ErrorCode.ShouldBe("protected");
        error.Code.ShouldBe(ErrorCode.Protected);
        var protection = shown.Json.GetProperty("server").GetProperty("protection");
        protection.GetProperty("delete").GetBoolean().ShouldBeTrue();
        protection.GetProperty("rebuild").GetBoolean().ShouldBeTrue();
        unprotected.Status.ShouldBe(200);
    }

    [Fact]
    public async Task Deleting_a_delete_protected_image_is_423_protected()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync(autoAdvance: false);
        var server = await cloud.CreateRunningServerAsync("web-1", Ct);
        var image = await cloud.CreateSnapshotAsync(server, "golden", Ct);
        (await cloud.PostAsync($"images/{image}/actions/change_protection", """{"delete": true}""", Ct)).Status.ShouldBe(201);
        cloud.FinishActions();

        // Act
        var delete = await cloud.DeleteAsync($"images/{image}", Ct);
        var error = await Should.ThrowAsync<HcloudApiException>(() => cloud.Client.Images.DeleteAsync(image, Ct));
        var shown = await cloud.GetAsync($"images/{image}", Ct);

        // Assert
        delete.Status.ShouldBe(423);
        delete.ErrorCode.ShouldBe("protected");
        error.Code.ShouldBe(ErrorCode.Protected);
        shown.Json.GetProperty("image").GetProperty("protection").GetProperty("delete").GetBoolean().ShouldBeTrue();
    }
}
