using System.Text.Json;
using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Tests.Support;
using Shouldly;
using Xunit;

namespace Drover.LocalCloud.Tests;

public sealed partial class LocalCloudBehaviourTests
{
    private static TimeSpan OneAction => TimeSpan.FromSeconds(1);

    [Fact]
    public async Task An_action_runs_with_growing_progress_for_its_configured_duration_then_succeeds()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync(autoAdvance: false,
            o => o with { ActionDurations = new Dictionary<string, TimeSpan> { ["create_image"] = TimeSpan.FromSeconds(10) } });
        var server = await cloud.CreateRunningServerAsync("web-1", Ct);
        var started = cloud.Time.GetUtcNow();
        var created = await cloud.PostAsync($"servers/{server}/actions/create_image", """{"description": "golden"}""", Ct);
        var id = created.Json.GetProperty("action").GetProperty("id").GetInt64();

        // Act
        var atStart = created.Json.GetProperty("action");
        cloud.Time.Advance(TimeSpan.FromSeconds(5));
        var halfway = (await cloud.GetAsync($"actions/{id}", Ct)).Json.GetProperty("action");
        cloud.Time.Advance(TimeSpan.FromSeconds(5));
        var done = (await cloud.GetAsync($"actions/{id}", Ct)).Json.GetProperty("action");

        // Assert
        atStart.GetProperty("status").GetString().ShouldBe("running");
        atStart.GetProperty("progress").GetInt32().ShouldBe(0);
        atStart.GetProperty("command").GetString().ShouldBe("create_image");
        atStart.GetProperty("started").GetDateTimeOffset().ShouldBe(started);
        halfway.GetProperty("status").GetString().ShouldBe("running");
        halfway.GetProperty("progress").GetInt32().ShouldBe(50);
        halfway.GetProperty("finished").ValueKind.ShouldBe(JsonValueKind.Null);
        done.GetProperty("status").GetString().ShouldBe("success");
        done.GetProperty("progress").GetInt32().ShouldBe(100);
        done.GetProperty("finished").GetDateTimeOffset().ShouldBe(started + TimeSpan.FromSeconds(10));
        done.GetProperty("error").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task The_client_waits_for_actions_on_the_clock_it_shares_with_the_cloud()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync(configure: o => o with { ActionDuration = TimeSpan.FromSeconds(30) });
        var created = await cloud.Client.Servers.CreateAsync(new CreateServerRequest { Name = "web-1", ServerType = "cx23", Image = "ubuntu-24.04" }, Ct);

        // Act
        await cloud.Client.Actions.WaitAsync([created.Action, .. created.NextActions], cancellationToken: Ct);
        var server = await cloud.Client.Servers.GetAsync(created.Server.Id, Ct);

        // Assert
        created.Server.Status.ShouldBe(ServerStatus.Initializing);
        server.ShouldNotBeNull().Status.ShouldBe(ServerStatus.Running);
        cloud.Time.TotalDelayed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_new_server_goes_from_initializing_through_starting_to_running()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync(autoAdvance: false);

        // Act
        var created = await cloud.PostAsync("servers", """{"name": "web-1", "server_type": "cx23", "image": "ubuntu-24.04"}""", Ct);
        var id = CloudHarness.Created(created, "server");
        cloud.Time.Advance(OneAction);
        var afterCreate = await ServerStatusAsync(cloud, id);
        cloud.Time.Advance(OneAction);
        var afterStart = await ServerStatusAsync(cloud, id);

        // Assert
        created.Json.GetProperty("server").GetProperty("status").GetString().ShouldBe("initializing");
        created.Json.GetProperty("action").GetProperty("command").GetString().ShouldBe("create_server");
        created.Json.GetProperty("next_actions")[0].GetProperty("command").GetString().ShouldBe("start_server");
        afterCreate.ShouldBe("starting");
        afterStart.ShouldBe("running");
    }

    [Fact]
    public async Task A_server_created_without_starting_ends_up_off()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync(autoAdvance: false);

        // Act
        var created = await cloud.PostAsync("servers", """{"name": "web-1", "server_type": "cx23", "image": "ubuntu-24.04", "start_after_create": false}""", Ct);
        cloud.FinishActions();

        // Assert
        created.Json.GetProperty("next_actions").GetArrayLength().ShouldBe(0);
        (await ServerStatusAsync(cloud, CloudHarness.Created(created, "server"))).ShouldBe("off");
    }

    [Fact]
    public async Task Poweroff_goes_through_stopping_to_off()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync(autoAdvance: false);
        var id = await cloud.CreateRunningServerAsync("web-1", Ct);

        // Act
        var action = await cloud.PostAsync($"servers/{id}/actions/poweroff", null, Ct);
        var during = await ServerStatusAsync(cloud, id);
        cloud.Time.Advance(OneAction);
        var after = await ServerStatusAsync(cloud, id);

        // Assert
        action.Json.GetProperty("action").GetProperty("command").GetString().ShouldBe("stop_server");
        during.ShouldBe("stopping");
        after.ShouldBe("off");
    }

    [Fact]
    public async Task Enable_rescue_returns_a_root_password_and_rescue_is_disabled_after_booting_into_it()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync(autoAdvance: false);
        var key = await cloud.CreateSshKeyAsync("k1", 1, Ct);
        var id = await cloud.CreateRunningServerAsync("web-1", Ct);
        (await cloud.PostAsync($"servers/{id}/actions/poweroff", null, Ct)).Status.ShouldBe(201);
        cloud.FinishActions();

        // Act
        var enabled = await cloud.PostAsync($"servers/{id}/actions/enable_rescue", $$"""{"type": "linux64", "ssh_keys": [{{key}}]}""", Ct);
        cloud.FinishActions();
        var beforeBoot = (await cloud.GetAsync($"servers/{id}", Ct)).Json.GetProperty("server");
        (await cloud.PostAsync($"servers/{id}/actions/poweron", null, Ct)).Status.ShouldBe(201);
        cloud.FinishActions();
        var afterBoot = (await cloud.GetAsync($"servers/{id}", Ct)).Json.GetProperty("server");

        // Assert
        enabled.Status.ShouldBe(201);
        enabled.Json.GetProperty("root_password").GetString().ShouldNotBeNullOrWhiteSpace();
        enabled.Json.GetProperty("action").GetProperty("command").GetString().ShouldBe("enable_rescue");
        beforeBoot.GetProperty("rescue_enabled").GetBoolean().ShouldBeTrue();
        afterBoot.GetProperty("status").GetString().ShouldBe("running");
        afterBoot.GetProperty("rescue_enabled").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task Create_image_makes_a_snapshot_that_goes_from_creating_to_available()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync(autoAdvance: false);
        var server = await cloud.CreateRunningServerAsync("arm-1", Ct, type: "cax11");

        // Act
        var created = await cloud.PostAsync($"servers/{server}/actions/create_image", """{"type": "snapshot", "description": "golden", "labels": {"role": "base"}}""", Ct);
        var id = CloudHarness.Created(created, "image");
        cloud.FinishActions();
        var ready = (await cloud.GetAsync($"images/{id}", Ct)).Json.GetProperty("image");

        // Assert
        var creating = created.Json.GetProperty("image");
        creating.GetProperty("type").GetString().ShouldBe("snapshot");
        creating.GetProperty("status").GetString().ShouldBe("creating");
        creating.GetProperty("name").ValueKind.ShouldBe(JsonValueKind.Null);
        creating.GetProperty("image_size").ValueKind.ShouldBe(JsonValueKind.Null);
        created.Json.GetProperty("action").GetProperty("command").GetString().ShouldBe("create_image");
        ready.GetProperty("status").GetString().ShouldBe("available");
        ready.GetProperty("name").ValueKind.ShouldBe(JsonValueKind.Null);
        ready.GetProperty("description").GetString().ShouldBe("golden");
        ready.GetProperty("labels").GetProperty("role").GetString().ShouldBe("base");
        ready.GetProperty("architecture").GetString().ShouldBe("arm");
        ready.GetProperty("image_size").GetDouble().ShouldBeGreaterThan(0);
        ready.GetProperty("disk_size").GetDouble().ShouldBe(40);
        ready.GetProperty("created_from").GetProperty("id").GetInt64().ShouldBe(server);
        ready.GetProperty("bound_to").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task The_client_sees_a_finished_snapshot_with_a_null_name()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        var server = await cloud.CreateRunningServerAsync("web-1", Ct, type: "cx33");

        // Act
        var result = await cloud.Client.Servers.CreateImageAsync(server, new CreateImageRequest { Type = "snapshot", Description = "golden", Labels = new Dictionary<string, string> { ["role"] = "base" } }, Ct);
        await cloud.Client.Actions.WaitAsync([result.Action], cancellationToken: Ct);
        var image = await cloud.Client.Images.GetAsync(result.Image.Id, Ct);

        // Assert
        result.Image.Status.ShouldBe(ImageStatus.Creating);
        image.ShouldNotBeNull();
        image.Status.ShouldBe(ImageStatus.Available);
        image.Name.ShouldBeNull();
        image.Description.ShouldBe("golden");
        image.Labels["role"].ShouldBe("base");
        image.Architecture.ShouldBe(Architecture.X86);
        image.DiskSize.ShouldBe(80);
        image.ImageSize.ShouldNotBeNull().ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Responses_without_a_body_are_204_without_a_content_type()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        var key = await cloud.CreateSshKeyAsync("k1", 1, Ct);
        var server = await cloud.CreateRunningServerAsync("web-1", Ct);
        var image = await cloud.CreateSnapshotAsync(server, "golden", Ct);
        var network = CloudHarness.Created(await cloud.PostAsync("networks", """{"name": "net", "ip_range": "10.0.0.0/16"}""", Ct), "network");
        var other = await cloud.CreateSshKeyAsync("k2", 2, Ct);

        // Act
        var replies = new[]
        {
            await cloud.DeleteAsync($"ssh_keys/{key}", Ct),
            await cloud.DeleteAsync($"images/{image}", Ct),
            await cloud.DeleteAsync($"networks/{network}", Ct),
        };
        await cloud.Client.SshKeys.DeleteAsync(other, Ct);

        // Assert
        replies.ShouldAllBe(r => r.Status == 204 && r.Body.Length == 0 && r.ContentType == null);
        (await cloud.Client.SshKeys.GetAsync(other, Ct)).ShouldBeNull();
    }

    private static async Task<string?> ServerStatusAsync(CloudHarness cloud, long id)
        => (await cloud.GetAsync($"servers/{id}", Ct)).Json.GetProperty("server").GetProperty("status").GetString();
}
