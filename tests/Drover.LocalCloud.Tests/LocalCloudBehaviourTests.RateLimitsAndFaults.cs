using System.Globalization;
using System.Net;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Tests.Support;
using Shouldly;
using Xunit;

namespace Drover.LocalCloud.Tests;

public sealed partial class LocalCloudBehaviourTests
{
    [Fact]
    public async Task The_request_beyond_the_rate_limit_gets_429_with_rate_limit_headers()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync(autoAdvance: false);
        await cloud.ControlAsync("rate-limit", """{"limit": 3, "refill_interval_ms": 60000}""");
        var now = cloud.Time.GetUtcNow().ToUnixTimeSeconds();

        // Act
        var replies = new List<ApiReply>();
        for (var i = 0; i < 4; i++)
        {
            replies.Add(await cloud.GetAsync("servers", Ct));
        }
        cloud.Time.Advance(TimeSpan.FromSeconds(60));
        var refilled = await cloud.GetAsync("servers", Ct);

        // Assert
        replies.Select(r => r.Status).ShouldBe([200, 200, 200, 429]);
        replies.Select(r => r.Header("RateLimit-Limit")).ShouldAllBe(limit => limit == "3");
        replies.Select(r => r.Header("RateLimit-Remaining")).ShouldBe(["2", "1", "0", "0"]);
        var limited = replies[^1];
        limited.ContentType.ShouldBe("application/json");
        limited.ErrorCode.ShouldBe("rate_limit_exceeded");
        long.Parse(limited.Header("RateLimit-Reset").ShouldNotBeNull(), CultureInfo.InvariantCulture).ShouldBeInRange(now + 1, now + 181);
        refilled.Status.ShouldBe(200);
    }

    [Fact]
    public async Task The_client_waits_out_the_rate_limit_on_the_shared_clock_without_surfacing_it()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        await cloud.CreateServerAsync("web-1", Ct);
        await cloud.ControlAsync("rate-limit", """{"limit": 2, "refill_interval_ms": 1000}""");

        // Act
        var pages = new List<Page<Server>>();
        for (var i = 0; i < 6; i++)
        {
            pages.Add(await cloud.Client.Servers.ListPageAsync(null, 1, 25, Ct));
        }

        // Assert
        pages.ShouldAllBe(p => p.Items.Count == 1);
        cloud.Time.Delays.ShouldNotBeEmpty();
        cloud.Client.RateLimit.ShouldNotBeNull().Limit.ShouldBe(2);
    }

    [Fact]
    public async Task An_injected_fault_answers_the_next_matching_requests_with_the_error_envelope()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        var id = await cloud.CreateServerAsync("web-1", Ct);
        await cloud.ControlAsync("faults", """{"method": "GET", "path": "/v1/servers/*", "count": 2, "status": 503, "code": "unavailable", "message": "maintenance window"}""");

        // Act
        var list = await cloud.GetAsync("servers", Ct);
        var first = await cloud.GetAsync($"servers/{id}", Ct);
        var second = await cloud.GetAsync($"servers/{id}", Ct);
        var third = await cloud.GetAsync($"servers/{id}", Ct);

        // Assert
        list.Status.ShouldBe(200);
        foreach (var failed in new[] { first, second })
        {
            failed.Status.ShouldBe(503);
            failed.ContentType.ShouldBe("application/json");
            failed.ErrorCode.ShouldBe("unavailable");
            failed.ErrorMessage.ShouldBe("maintenance window");
        }
        third.Status.ShouldBe(200);
    }

    [Fact]
    public async Task The_client_retries_two_injected_503s_away()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        await cloud.CreateServerAsync("web-1", Ct);
        await cloud.ControlAsync("faults", """{"method": "GET", "path": "/v1/servers", "count": 2, "status": 503, "code": "unavailable"}""");

        // Act
        var servers = await cloud.Client.Servers.ListAsync(cancellationToken: Ct).ToListAsync(Ct);

        // Assert
        servers.ShouldHaveSingleItem().Name.ShouldBe("web-1");
        cloud.Time.Delays.Count.ShouldBe(2);
    }

    [Fact]
    public async Task The_client_surfaces_an_injected_422()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        await cloud.ControlAsync("faults", """{"method": "POST", "path": "/v1/ssh_keys", "count": 1, "status": 422, "code": "invalid_input", "message": "injected"}""");
        var request = new CreateSshKeyRequest { Name = "k1", PublicKey = TestKeys.Ed25519(1) };

        // Act
        var error = await Should.ThrowAsync<HcloudApiException>(() => cloud.Client.SshKeys.CreateAsync(request, Ct));
        var keysAfterFault = await cloud.Client.SshKeys.ListAsync(cancellationToken: Ct).ToListAsync(Ct);
        var retried = await cloud.Client.SshKeys.CreateAsync(request, Ct);

        // Assert
        error.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        error.Code.ShouldBe(ErrorCode.InvalidInput);
        error.ApiMessage.ShouldBe("injected");
        cloud.Time.Delays.ShouldBeEmpty();
        keysAfterFault.ShouldBeEmpty();
        retried.Name.ShouldBe("k1");
    }

    [Fact]
    public async Task An_injected_create_image_failure_fails_the_action_and_leaves_no_snapshot()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        var server = await cloud.CreateRunningServerAsync("web-1", Ct);
        await cloud.ControlAsync("action-faults", """{"command": "create_image", "count": 1}""");

        // Act
        var result = await cloud.Client.Servers.CreateImageAsync(server, new CreateImageRequest { Description = "golden" }, Ct);
        var error = await Should.ThrowAsync<ActionFailedException>(() => cloud.Client.Actions.WaitAsync([result.Action], cancellationToken: Ct));
        var image = await cloud.Client.Images.GetAsync(result.Image.Id, Ct);
        var snapshots = await cloud.GetAsync("images?type=snapshot", Ct);
        var action = (await cloud.GetAsync($"actions/{result.Action.Id}", Ct)).Json.GetProperty("action");
        var next = await cloud.Client.Servers.CreateImageAsync(server, new CreateImageRequest { Description = "golden-2" }, Ct);
        await cloud.Client.Actions.WaitAsync([next.Action], cancellationToken: Ct);

        // Assert
        error.Action.Id.ShouldBe(result.Action.Id);
        error.Action.Status.ShouldBe(ActionStatus.Error);
        error.Action.Error.ShouldNotBeNull().Code.ShouldBe("action_failed");
        image.ShouldBeNull();
        snapshots.Json.GetProperty("images").GetArrayLength().ShouldBe(0);
        action.GetProperty("status").GetString().ShouldBe("error");
        action.GetProperty("error").GetProperty("code").GetString().ShouldBe("action_failed");
        (await cloud.Client.Images.GetAsync(next.Image.Id, Ct)).ShouldNotBeNull().Status.ShouldBe(ImageStatus.Available);
    }

    [Theory]
    [InlineData("faults")]
    [InlineData("action-faults")]
    [InlineData("rate-limit")]
    [InlineData("__localcloud/faults")]
    public async Task Control_endpoints_are_not_under_v1(string path)
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();

        // Act
        var reply = await cloud.PostAsync(path, """{"method": "GET", "path": "/v1/servers", "count": 1, "status": 500, "code": "server_error"}""", Ct);
        var servers = await cloud.GetAsync("servers", Ct);

        // Assert
        reply.Status.ShouldBe(404);
        reply.ErrorCode.ShouldBe("not_found");
        servers.Status.ShouldBe(200);
    }

    [Fact]
    public async Task A_fault_for_a_path_outside_v1_is_rejected()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();

        // Act
        var reply = await cloud.PostAsync("/__localcloud/faults", """{"method": "GET", "path": "/__localcloud/status", "count": 1, "status": 500, "code": "server_error"}""", Ct);

        // Assert
        reply.Status.ShouldBe(422);
        reply.ErrorCode.ShouldBe("invalid_input");
    }
}
