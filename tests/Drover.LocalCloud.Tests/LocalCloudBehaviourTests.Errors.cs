using System.Net;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Tests.Support;
using Shouldly;
using Xunit;

namespace Drover.LocalCloud.Tests;

/// <summary>The local cloud's protocol behaviour, through raw HTTP and through <see cref="HcloudClient"/>.</summary>
public sealed partial class LocalCloudBehaviourTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token")]
    public async Task A_missing_or_wrong_token_gets_401_unauthorized_with_the_error_envelope(string? token)
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        using var http = cloud.Cloud.CreateHttpClient(token ?? "unused");
        if (token is null)
        {
            http.DefaultRequestHeaders.Authorization = null;
        }

        // Act
        var reply = await CloudHarness.SendAsync(http, HttpMethod.Get, "servers", null, Ct);

        // Assert
        reply.Status.ShouldBe(401);
        reply.ContentType.ShouldBe("application/json");
        reply.ErrorCode.ShouldBe("unauthorized");
        reply.ErrorMessage.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task A_client_with_a_wrong_token_gets_an_unauthorized_exception()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        var client = cloud.Cloud.CreateClient(cloud.Time, token: "wrong-token");

        // Act
        var error = await Should.ThrowAsync<HcloudApiException>(() => client.Servers.ListPageAsync(null, 1, 25, Ct));

        // Assert
        error.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        error.Code.ShouldBe(ErrorCode.Unauthorized);
    }

    [Theory]
    [InlineData("ssh_keys", """{"name": "k1", """)]
    [InlineData("servers", """{"name": "web-1", "server_type": "cx23", "image": """)]
    [InlineData("servers", """["not", "an", "object"]""")]
    public async Task Malformed_json_gets_400_json_error_and_changes_nothing(string path, string body)
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();

        // Act
        var reply = await cloud.PostAsync(path, body, Ct);
        var after = await cloud.GetAsync(path, Ct);

        // Assert
        reply.Status.ShouldBe(400);
        reply.ErrorCode.ShouldBe("json_error");
        CloudHarness.Pagination(after).GetProperty("total_entries").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task A_missing_required_field_gets_422_invalid_input_naming_it()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();

        // Act
        var reply = await cloud.PostAsync("ssh_keys", """{"name": "k1"}""", Ct);

        // Assert
        reply.Status.ShouldBe(422);
        reply.ErrorCode.ShouldBe("invalid_input");
        reply.ErrorFields.ShouldBe(["public_key"]);
    }

    [Fact]
    public async Task An_unknown_server_type_gets_422_invalid_input_naming_server_type()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();

        // Act
        var reply = await cloud.PostAsync("servers", """{"name": "web-1", "server_type": "cx99", "image": "ubuntu-24.04"}""", Ct);
        var error = await Should.ThrowAsync<HcloudApiException>(() => cloud.Client.Servers.CreateAsync(
            new CreateServerRequest { Name = "web-1", ServerType = "cx99", Image = "ubuntu-24.04" }, Ct));

        // Assert
        reply.Status.ShouldBe(422);
        reply.ErrorCode.ShouldBe("invalid_input");
        reply.ErrorFields.ShouldBe(["server_type"]);
        error.Code.ShouldBe(ErrorCode.InvalidInput);
        error.Details.ShouldNotBeNull().Fields.ShouldNotBeNull().ShouldHaveSingleItem().Name.ShouldBe("server_type");
        (await cloud.GetAsync("servers", Ct)).Json.GetProperty("servers").GetArrayLength().ShouldBe(0);
    }

    [Theory]
    [InlineData("a%3D%3D%3Db", "at position 4")]
    [InlineData("env%20in%20(a", "at position 10")]
    public async Task An_invalid_label_selector_gets_invalid_input_with_the_position(string selector, string position)
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();

        // Act
        var reply = await cloud.GetAsync($"servers?label_selector={selector}", Ct);

        // Assert
        reply.Status.ShouldBe(422);
        reply.ErrorCode.ShouldBe("invalid_input");
        reply.ErrorFields.ShouldBe(["label_selector"]);
        reply.ErrorMessage.ShouldContain(position);
    }

    [Theory]
    [InlineData("DELETE", "servers")]
    [InlineData("PATCH", "servers/1")]
    [InlineData("PUT", "actions/1")]
    public async Task A_wrong_method_on_a_known_path_gets_405_with_the_error_envelope(string method, string path)
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();

        // Act
        var reply = await cloud.SendAsync(new HttpMethod(method), path, null, Ct);

        // Assert
        reply.Status.ShouldBe(405);
        reply.ContentType.ShouldBe("application/json");
        reply.ErrorCode.ShouldBe("method_not_allowed");
    }

    [Theory]
    [InlineData("nosuch")]
    [InlineData("servers/424242")]
    [InlineData("images/424242")]
    [InlineData("ssh_keys/424242")]
    [InlineData("actions/424242")]
    [InlineData("servers/424242/actions/poweron")]
    public async Task Unknown_paths_and_ids_get_404_not_found(string path)
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        var method = path.EndsWith("poweron", StringComparison.Ordinal) ? HttpMethod.Post : HttpMethod.Get;

        // Act
        var reply = await cloud.SendAsync(method, path, null, Ct);

        // Assert
        reply.Status.ShouldBe(404);
        reply.ContentType.ShouldBe("application/json");
        reply.ErrorCode.ShouldBe("not_found");
    }

    [Fact]
    public async Task The_client_gets_null_for_unknown_ids()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();

        // Act
        var server = await cloud.Client.Servers.GetAsync(424242, Ct);
        var image = await cloud.Client.Images.GetAsync(424242, Ct);
        var key = await cloud.Client.SshKeys.GetAsync(424242, Ct);
        var action = await cloud.Client.Actions.GetAsync(424242, Ct);

        // Assert
        server.ShouldBeNull();
        image.ShouldBeNull();
        key.ShouldBeNull();
        action.ShouldBeNull();
    }

    [Fact]
    public async Task A_duplicate_ssh_key_fingerprint_gets_409_uniqueness_error_on_public_key()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        await cloud.Client.SshKeys.CreateAsync(new CreateSshKeyRequest { Name = "k1", PublicKey = TestKeys.Ed25519(1) }, Ct);

        // Act
        var reply = await cloud.PostAsync("ssh_keys", $$"""{"name": "k2", "public_key": "{{TestKeys.Ed25519(1, "other@comment")}}"}""", Ct);
        var error = await Should.ThrowAsync<HcloudApiException>(() => cloud.Client.SshKeys.CreateAsync(
            new CreateSshKeyRequest { Name = "k3", PublicKey = TestKeys.Ed25519(1) }, Ct));

        // Assert
        reply.Status.ShouldBe(409);
        reply.ErrorCode.ShouldBe("uniqueness_error");
        reply.ErrorFields.ShouldBe(["public_key"]);
        error.Code.ShouldBe(ErrorCode.UniquenessError);
        error.Details.ShouldNotBeNull().Fields.ShouldNotBeNull().ShouldHaveSingleItem().Name.ShouldBe("public_key");
    }

    [Fact]
    public async Task A_duplicate_server_name_gets_409_uniqueness_error_on_name()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        await cloud.CreateServerAsync("web-1", Ct);

        // Act
        var reply = await cloud.PostAsync("servers", """{"name": "web-1", "server_type": "cx33", "image": "debian-12"}""", Ct);

        // Assert
        reply.Status.ShouldBe(409);
        reply.ErrorCode.ShouldBe("uniqueness_error");
        reply.ErrorFields.ShouldBe(["name"]);
        (await cloud.GetAsync("servers", Ct)).Json.GetProperty("servers").GetArrayLength().ShouldBe(1);
    }

    [Fact]
    public async Task A_firewall_rule_missing_its_ip_list_is_invalid_input_and_the_other_list_defaults_to_empty()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();

        // Act
        var missingSources = await cloud.PostAsync("firewalls", """{"name": "fw-1", "rules": [{"direction": "in", "protocol": "tcp", "port": "22"}]}""", Ct);
        var inboundOnly = await cloud.PostAsync("firewalls", """{"name": "fw-2", "rules": [{"direction": "in", "protocol": "tcp", "port": "22", "source_ips": ["0.0.0.0/0"]}]}""", Ct);

        // Assert
        missingSources.Status.ShouldBe(422);
        missingSources.ErrorCode.ShouldBe("invalid_input");
        missingSources.ErrorFields.ShouldBe(["rules"]);
        inboundOnly.Status.ShouldBe(201);
        inboundOnly.Json.GetProperty("firewall").GetProperty("rules")[0].GetProperty("destination_ips").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Get_actions_without_an_id_is_invalid_input()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();

        // Act
        var reply = await cloud.GetAsync("actions", Ct);

        // Assert
        reply.Status.ShouldBe(422);
        reply.ErrorCode.ShouldBe("invalid_input");
        reply.ErrorFields.ShouldBe(["id"]);
    }

    [Fact]
    public async Task Every_api_response_carries_a_correlation_id()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();

        // Act
        var ok = await cloud.GetAsync("servers", Ct);
        var failed = await cloud.GetAsync("servers/424242", Ct);

        // Assert
        ok.Header("X-Correlation-Id").ShouldNotBeNullOrEmpty();
        failed.Header("X-Correlation-Id").ShouldNotBeNullOrEmpty();
        failed.Header("X-Correlation-Id").ShouldNotBe(ok.Header("X-Correlation-Id"));
    }
}
