using System.Text.Json;
using Drover.LocalCloud.Tests.OpenApi;
using Drover.LocalCloud.Tests.Support;
using Shouldly;
using Xunit;

namespace Drover.LocalCloud.Tests;

/// <summary>Every response body of the local cloud, validated against the saved Hetzner OpenAPI spec.</summary>
public sealed partial class OpenApiConformanceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Server_list_and_get_match_the_spec()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        var spec = new SpecConformance(cloud);
        await spec.GetAsync("/servers", "servers", Ct);
        var id = await cloud.CreateRunningServerAsync("web-1", Ct, labels: """{"role": "web"}""");

        // Act
        await spec.GetAsync("/servers", "servers", Ct);
        await spec.GetAsync("/servers", "servers?label_selector=role%3Dweb&sort=name:desc&per_page=1", Ct);
        await spec.GetAsync("/servers/{id}", $"servers/{id}", Ct);

        // Assert
        spec.ShouldConform();
    }

    [Fact]
    public async Task Creating_a_server_with_and_without_ssh_keys_matches_the_spec()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        var spec = new SpecConformance(cloud);
        var key = await cloud.CreateSshKeyAsync("k1", 1, Ct);

        // Act
        var withKey = await spec.PostAsync("/servers", "servers",
            $$"""{"name": "with-key", "server_type": "cx23", "image": "ubuntu-24.04", "location": "fsn1", "ssh_keys": [{{key}}], "labels": {"role": "test"}, "user_data": "#cloud-config\n"}""", Ct);
        var withoutKey = await spec.PostAsync("/servers", "servers",
            """{"name": "without-key", "server_type": "cax11", "image": "debian-12", "start_after_create": false}""", Ct);

        // Assert
        spec.ShouldConform();
        withKey.GetProperty("root_password").ValueKind.ShouldBe(JsonValueKind.Null);
        withKey.GetProperty("next_actions").GetArrayLength().ShouldBe(1);
        withoutKey.GetProperty("root_password").GetString().ShouldNotBeNullOrEmpty();
        withoutKey.GetProperty("next_actions").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Updating_and_deleting_a_server_match_the_spec()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        var spec = new SpecConformance(cloud);
        var id = await cloud.CreateRunningServerAsync("web-1", Ct);

        // Act
        await spec.PutAsync("/servers/{id}", $"servers/{id}", """{"name": "web-2", "labels": {"env": "prod"}}""", Ct);
        await spec.DeleteAsync("/servers/{id}", $"servers/{id}", Ct, expectedStatus: 200);

        // Assert
        spec.ShouldConform();
    }

    [Theory]
    [InlineData("poweron")]
    [InlineData("poweroff")]
    [InlineData("shutdown")]
    [InlineData("reboot")]
    [InlineData("reset")]
    [InlineData("enable_rescue")]
    [InlineData("disable_rescue")]
    [InlineData("create_image")]
    [InlineData("rebuild")]
    [InlineData("change_type")]
    [InlineData("attach_to_network")]
    [InlineData("detach_from_network")]
    public async Task Server_action_matches_the_spec(string action)
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        var spec = new SpecConformance(cloud);
        var key = await cloud.CreateSshKeyAsync("k1", 1, Ct);
        var id = await cloud.CreateRunningServerAsync("web-1", Ct);
        var network = CloudHarness.Created(await cloud.PostAsync("networks",
            """{"name": "net", "ip_range": "10.0.0.0/16", "subnets": [{"type": "cloud", "ip_range": "10.0.1.0/24", "network_zone": "eu-central"}]}""", Ct), "network");
        (string? Action, string? Body) prerequisite = action switch
        {
            "poweron" or "change_type" => ("poweroff", null),
            "disable_rescue" => ("enable_rescue", null),
            "detach_from_network" => ("attach_to_network", $$"""{"network": {{network}}}"""),
            _ => (null, null),
        };
        if (prerequisite.Action is { } first)
        {
            (await cloud.PostAsync($"servers/{id}/actions/{first}", prerequisite.Body, Ct)).Status.ShouldBe(201);
            cloud.FinishActions();
        }
        var body = action switch
        {
            "enable_rescue" => $$"""{"type": "linux64", "ssh_keys": [{{key}}]}""",
            "create_image" => """{"type": "snapshot", "description": "golden", "labels": {"role": "base"}}""",
            "rebuild" => """{"image": "ubuntu-22.04"}""",
            "change_type" => """{"server_type": "cx33", "upgrade_disk": false}""",
            "attach_to_network" or "detach_from_network" => $$"""{"network": {{network}}}""",
            _ => null,
        };

        // Act
        var result = await spec.PostAsync($"/servers/{{id}}/actions/{action}", $"servers/{id}/actions/{action}", body, Ct);
        var actionId = result.GetProperty("action").GetProperty("id").GetInt64();
        await spec.GetAsync("/actions/{id}", $"actions/{actionId}", Ct);
        cloud.FinishActions();
        await spec.GetAsync("/actions/{id}", $"actions/{actionId}", Ct);
        await spec.GetAsync("/servers/{id}", $"servers/{id}", Ct);

        // Assert
        spec.ShouldConform();
    }

    [Fact]
    public async Task Image_list_get_and_update_match_the_spec()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        var spec = new SpecConformance(cloud);
        var server = await cloud.CreateRunningServerAsync("web-1", Ct);
        var snapshot = await cloud.CreateSnapshotAsync(server, "golden", Ct, """{"role": "base"}""");

        // Act
        await spec.GetAsync("/images", "images", Ct);
        await spec.GetAsync("/images", "images?include_deprecated=true&architecture=arm&sort=name:asc", Ct);
        await spec.GetAsync("/images", "images?type=snapshot&label_selector=role%3Dbase", Ct);
        await spec.GetAsync("/images/{id}", $"images/{snapshot}", Ct);
        await spec.PutAsync("/images/{id}", $"images/{snapshot}", """{"description": "golden-2", "labels": {"role": "base", "v": "2"}}""", Ct);
        await spec.PostAsync("/images/{id}/actions/change_protection", $"images/{snapshot}/actions/change_protection", """{"delete": false}""", Ct);
        await spec.DeleteAsync("/images/{id}", $"images/{snapshot}", Ct);

        // Assert
        spec.ShouldConform();
    }

    [Fact]
    public async Task Get_action_and_get_actions_by_id_match_the_spec()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        var spec = new SpecConformance(cloud);
        var created = await cloud.PostAsync("servers", """{"name": "web-1", "server_type": "cx23", "image": "ubuntu-24.04"}""", Ct);
        var create = created.Json.GetProperty("action").GetProperty("id").GetInt64();
        var start = created.Json.GetProperty("next_actions")[0].GetProperty("id").GetInt64();

        // Act
        await spec.GetAsync("/actions/{id}", $"actions/{create}", Ct);
        await spec.GetAsync("/actions", $"actions?id={create}&id={start}&page=1", Ct);
        cloud.FinishActions();
        await spec.GetAsync("/actions/{id}", $"actions/{create}", Ct);
        await spec.GetAsync("/actions", $"actions?id={create}&id={start}", Ct);

        // Assert
        spec.ShouldConform();
    }

    [Fact]
    public async Task Error_bodies_match_the_error_schema()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        var spec = new SpecConformance(cloud);
        await cloud.CreateSshKeyAsync("k1", 1, Ct);

        // Act
        var notFound = await spec.GetAsync("/servers/{id}", "servers/424242", Ct, expectedStatus: 404);
        var invalid = await spec.PostAsync("/servers", "servers", """{"name": "web-1", "server_type": "cx99", "image": "ubuntu-24.04"}""", Ct, expectedStatus: 422);
        var duplicate = await spec.PostAsync("/ssh_keys", "ssh_keys", $$"""{"name": "k2", "public_key": "{{TestKeys.Ed25519(1)}}"}""", Ct, expectedStatus: 409);
        var badSelector = await spec.GetAsync("/images", "images?label_selector=a%3D%3D%3Db", Ct, expectedStatus: 422);
        var badJson = await spec.PostAsync("/ssh_keys", "ssh_keys", """{"name": """, Ct, expectedStatus: 400);

        // Assert
        spec.ShouldConform();
        notFound.GetProperty("error").GetProperty("code").GetString().ShouldBe("not_found");
        invalid.GetProperty("error").GetProperty("code").GetString().ShouldBe("invalid_input");
        duplicate.GetProperty("error").GetProperty("code").GetString().ShouldBe("uniqueness_error");
        badSelector.GetProperty("error").GetProperty("code").GetString().ShouldBe("invalid_input");
        badJson.GetProperty("error").GetProperty("code").GetString().ShouldBe("json_error");
    }

    [Fact]
    public async Task Required_nullable_fields_are_sent_as_null()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync(autoAdvance: false);
        var key = await cloud.CreateSshKeyAsync("k1", 1, Ct);
        var created = await cloud.PostAsync("servers", $$"""{"name": "web-1", "server_type": "cx23", "image": "ubuntu-24.04", "ssh_keys": [{{key}}]}""", Ct);
        var server = CloudHarness.Created(created, "server");
        cloud.FinishActions();

        // Act
        var snapshot = await cloud.PostAsync($"servers/{server}/actions/create_image", """{"description": "golden"}""", Ct);
        var list = await cloud.GetAsync("servers", Ct);

        // Assert
        created.Json.GetProperty("root_password").ValueKind.ShouldBe(JsonValueKind.Null);
        var image = snapshot.Json.GetProperty("image");
        image.GetProperty("name").ValueKind.ShouldBe(JsonValueKind.Null);
        image.GetProperty("image_size").ValueKind.ShouldBe(JsonValueKind.Null);
        image.GetProperty("bound_to").ValueKind.ShouldBe(JsonValueKind.Null);
        image.GetProperty("deprecated").ValueKind.ShouldBe(JsonValueKind.Null);
        image.GetProperty("deleted").ValueKind.ShouldBe(JsonValueKind.Null);
        var action = snapshot.Json.GetProperty("action");
        action.GetProperty("finished").ValueKind.ShouldBe(JsonValueKind.Null);
        action.GetProperty("error").ValueKind.ShouldBe(JsonValueKind.Null);
        var listed = list.Json.GetProperty("servers")[0];
        listed.GetProperty("iso").ValueKind.ShouldBe(JsonValueKind.Null);
        listed.GetProperty("backup_window").ValueKind.ShouldBe(JsonValueKind.Null);
        listed.GetProperty("placement_group").ValueKind.ShouldBe(JsonValueKind.Null);
        var pagination = CloudHarness.Pagination(list);
        pagination.GetProperty("previous_page").ValueKind.ShouldBe(JsonValueKind.Null);
        pagination.GetProperty("next_page").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task A_server_body_that_breaks_the_spec_is_reported_with_json_paths()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        var id = await cloud.CreateRunningServerAsync("web-1", Ct);
        var body = (await cloud.GetAsync($"servers/{id}", Ct)).Body;
        var broken = System.Text.Json.Nodes.JsonNode.Parse(body)!;
        broken["server"]!.AsObject().Remove("name");
        broken["server"]!["status"] = "sleeping";
        broken["server"]!["primary_disk_size"] = "40";
        broken["server"]!["public_net"]!["ipv4"]!["blocked"] = null;
        broken["server"]!["labels"]!["role"] = 7;
        var schema = OpenApiSpec.Instance.ResponseSchema("/servers/{id}", "GET", 200);
        using var document = JsonDocument.Parse(broken.ToJsonString());

        // Act
        var violations = SchemaValidator.Validate(schema, document.RootElement).Where(v => KnownDeviations.Excuse("/servers/{id}", v) is null).ToList();

        // Assert
        violations.Select(v => v.Path).ShouldBe(
            ["$.server", "$.server.status", "$.server.public_net.ipv4.blocked", "$.server.labels.role", "$.server.primary_disk_size"],
            ignoreOrder: true);
        violations.ShouldContain(v => v.Path == "$.server" && v.Message == "missing required property 'name'");
    }
}
