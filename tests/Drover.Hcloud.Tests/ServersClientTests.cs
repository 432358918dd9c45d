using System.Net;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Labels;
using Drover.Hcloud.Tests.Fixtures;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Hcloud.Tests;

public sealed class ServersClientTests
{
    private static readonly string _actionResponse = $$"""{"action": {{ApiFixtures.ActionWith(7, "running", command: "poweroff_server")}}}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Get_returns_the_server()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/servers/42").Respond(HttpStatusCode.OK, $$"""{"server": {{ApiFixtures.Server}}}""");
        var client = TestClient.Create(stub);

        // Act
        var server = await client.Servers.GetAsync(42, Ct);

        // Assert
        server.ShouldNotBeNull().Name.ShouldBe("my-resource");
    }

    [Fact]
    public async Task Get_returns_null_when_server_is_missing()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/servers/404").RespondError(HttpStatusCode.NotFound, ErrorCode.NotFound, "server with ID '404' not found");
        var client = TestClient.Create(stub);

        // Act
        var server = await client.Servers.GetAsync(404, Ct);

        // Assert
        server.ShouldBeNull();
    }

    [Fact]
    public async Task GetByName_filters_by_name_and_returns_null_on_an_empty_list()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/servers?name=web-1&page=1&per_page=1").Respond(HttpStatusCode.OK, ApiFixtures.ListPage("servers", 1, 1, 1, ApiFixtures.ServerWith(1, "web-1")));
        stub.Expect(HttpMethod.Get, "/v1/servers?name=ghost&page=1&per_page=1").Respond(HttpStatusCode.OK, ApiFixtures.ListPage("servers", 1, 1, 1));
        var client = TestClient.Create(stub);

        // Act
        var found = await client.Servers.GetByNameAsync("web-1", Ct);
        var missing = await client.Servers.GetByNameAsync("ghost", Ct);

        // Assert
        found.ShouldNotBeNull().Id.ShouldBe(1);
        missing.ShouldBeNull();
    }

    [Fact]
    public async Task List_follows_next_page_until_the_last_page()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/servers?page=1&per_page=50").Respond(HttpStatusCode.OK, ApiFixtures.ListPage("servers", 1, 3, 50, ApiFixtures.ServerWith(1, "a"), ApiFixtures.ServerWith(2, "b")));
        stub.Expect(HttpMethod.Get, "/v1/servers?page=2&per_page=50").Respond(HttpStatusCode.OK, ApiFixtures.ListPage("servers", 2, 3, 50, ApiFixtures.ServerWith(3, "c")));
        stub.Expect(HttpMethod.Get, "/v1/servers?page=3&per_page=50").Respond(HttpStatusCode.OK, ApiFixtures.ListPage("servers", 3, 3, 50, ApiFixtures.ServerWith(4, "d")));
        var client = TestClient.Create(stub);

        // Act
        var servers = await client.Servers.ListAsync(cancellationToken: Ct).ToListAsync(Ct);

        // Assert
        servers.Select(s => s.Name).ShouldBe(["a", "b", "c", "d"]);
    }

    [Fact]
    public async Task List_options_produce_the_exact_query()
    {
        // Arrange
        var options = new ServerListOptions
        {
            Name = "web 1",
            LabelSelector = LabelSelector.Parse("env=prod,role in (web,api)"),
            Sort = ["name:asc", "id:desc"],
            Status = [ServerStatus.Running, ServerStatus.Off],
        };
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get,
                "/v1/servers?name=web%201&label_selector=env%3Dprod%2Crole%20in%20%28api%2Cweb%29&sort=name%3Aasc&sort=id%3Adesc&status=running&status=off&page=1&per_page=50")
            .Respond(HttpStatusCode.OK, ApiFixtures.ListPage("servers", 1, 1, 50));
        var client = TestClient.Create(stub);

        // Act
        var servers = await client.Servers.ListAsync(options, Ct).ToListAsync(Ct);

        // Assert
        servers.ShouldBeEmpty();
    }

    [Fact]
    public async Task ListPage_returns_one_page_with_its_pagination()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/servers?page=2&per_page=5").Respond(HttpStatusCode.OK, ApiFixtures.ListPage("servers", 2, 4, 5, ApiFixtures.ServerWith(6, "f")));
        var client = TestClient.Create(stub);

        // Act
        var page = await client.Servers.ListPageAsync(null, 2, 5, Ct);

        // Assert
        page.Items.Single().Id.ShouldBe(6);
        page.Pagination.ShouldBe(new Pagination { Page = 2, PerPage = 5, PreviousPage = 1, NextPage = 3, LastPage = 4 });
    }

    [Fact]
    public async Task Create_sends_image_and_server_type_as_given()
    {
        // Arrange
        var request = new CreateServerRequest
        {
            Name = "web-1",
            ServerType = "cx22",
            Image = 114690387L,
            Location = "fsn1",
            SshKeys = [IdOrName.FromId(11), IdOrName.FromName("deploy")],
            UserData = "#cloud-config\nruncmd:\n- [touch, /root/ok]\n",
            StartAfterCreate = true,
            Labels = new Dictionary<string, string> { ["drover.example/role"] = "web", ["just-a-key"] = "" },
            Firewalls = [new CreateServerFirewall { Firewall = 38 }],
            PublicNet = new CreateServerPublicNet { EnableIpv4 = false, EnableIpv6 = true },
        };
        var response = $$"""
            {"server": {{ApiFixtures.Server}}, "action": {{ApiFixtures.ActionWith(1, "running")}},
             "next_actions": [{{ApiFixtures.ActionWith(2, "running", command: "start_server")}}], "root_password": null}
            """;
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Post, "/v1/servers").WithJsonBody("""
            {
              "name": "web-1",
              "server_type": "cx22",
              "image": 114690387,
              "location": "fsn1",
              "ssh_keys": [11, "deploy"],
              "user_data": "#cloud-config\nruncmd:\n- [touch, /root/ok]\n",
              "start_after_create": true,
              "labels": {"drover.example/role": "web", "just-a-key": ""},
              "firewalls": [{"firewall": 38}],
              "public_net": {"enable_ipv4": false, "enable_ipv6": true}
            }
            """).Respond(HttpStatusCode.Created, response);
        var client = TestClient.Create(stub);

        // Act
        var result = await client.Servers.CreateAsync(request, Ct);

        // Assert
        result.Server.Id.ShouldBe(42);
        result.Action.Id.ShouldBe(1);
        result.NextActions.Single().Id.ShouldBe(2);
        result.RootPassword.ShouldBeNull();
    }

    [Fact]
    public async Task Create_sends_an_image_name_as_a_string()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Post, "/v1/servers")
            .WithJsonBody("""{"name": "web-2", "server_type": 1, "image": "debian-12"}""")
            .Respond(HttpStatusCode.Created, $$"""{"server": {{ApiFixtures.Server}}, "action": {{ApiFixtures.Action}}, "next_actions": [], "root_password": "secret-pw"}""");
        var client = TestClient.Create(stub);

        // Act
        var result = await client.Servers.CreateAsync(new CreateServerRequest { Name = "web-2", ServerType = 1L, Image = "debian-12" }, Ct);

        // Assert
        result.RootPassword.ShouldBe("secret-pw");
    }

    [Fact]
    public async Task Create_rejects_invalid_labels_before_sending()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        var client = TestClient.Create(stub);
        var request = new CreateServerRequest { Name = "x", ServerType = "cx22", Image = "debian-12", Labels = new Dictionary<string, string> { ["hetzner.cloud/x"] = "1" } };

        // Act
        var error = await Should.ThrowAsync<ArgumentException>(() => client.Servers.CreateAsync(request, Ct));

        // Assert
        error.Message.ShouldContain("reserved");
        stub.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Update_puts_name_and_labels()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Put, "/v1/servers/42")
            .WithJsonBody("""{"labels": {"env": "prod"}}""")
            .Respond(HttpStatusCode.OK, $$"""{"server": {{ApiFixtures.Server}}}""");
        var client = TestClient.Create(stub);

        // Act
        var server = await client.Servers.UpdateAsync(42, new UpdateServerRequest { Labels = new Dictionary<string, string> { ["env"] = "prod" } }, Ct);

        // Assert
        server.Id.ShouldBe(42);
    }

    [Fact]
    public async Task Delete_returns_the_delete_action()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Delete, "/v1/servers/42").Respond(HttpStatusCode.OK, $$"""{"action": {{ApiFixtures.ActionWith(9, "running", command: "delete_server")}}}""");
        var client = TestClient.Create(stub);

        // Act
        var action = await client.Servers.DeleteAsync(42, Ct);

        // Assert
        action.Command.ShouldBe("delete_server");
    }

    [Theory]
    [InlineData("poweron")]
    [InlineData("poweroff")]
    [InlineData("shutdown")]
    [InlineData("reboot")]
    [InlineData("reset")]
    [InlineData("disable_rescue")]
    public async Task Simple_actions_post_without_a_body(string action)
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Post, $"/v1/servers/42/actions/{action}")
            .WithBody(body => body.ShouldBeEmpty())
            .Respond(HttpStatusCode.Created, _actionResponse);
        var client = TestClient.Create(stub);
        Func<long, CancellationToken, Task<CloudAction>> call = action switch
        {
            "poweron" => client.Servers.PowerOnAsync,
            "poweroff" => client.Servers.PowerOffAsync,
            "shutdown" => client.Servers.ShutdownAsync,
            "reboot" => client.Servers.RebootAsync,
            "reset" => client.Servers.ResetAsync,
            _ => client.Servers.DisableRescueAsync,
        };

        // Act
        var result = await call(42, Ct);

        // Assert
        result.Id.ShouldBe(7);
    }

    [Fact]
    public async Task EnableRescue_sends_type_and_keys_and_returns_the_root_password()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Post, "/v1/servers/42/actions/enable_rescue")
            .WithJsonBody("""{"type": "linux64", "ssh_keys": [2323]}""")
            .Respond(HttpStatusCode.Created, $$"""{"root_password": "zCWbFhnu950dUTko5f40", "action": {{ApiFixtures.Action}}}""");
        var client = TestClient.Create(stub);

        // Act
        var result = await client.Servers.EnableRescueAsync(42, new EnableRescueRequest { Type = "linux64", SshKeys = [2323] }, Ct);

        // Assert
        result.RootPassword.ShouldBe("zCWbFhnu950dUTko5f40");
        result.Action.Id.ShouldBe(42);
    }

    [Fact]
    public async Task CreateImage_sends_description_type_and_labels()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Post, "/v1/servers/42/actions/create_image")
            .WithJsonBody("""{"description": "drover-base", "type": "snapshot", "labels": {"drover.example/channel": "stable"}}""")
            .Respond(HttpStatusCode.Created, $$"""{"image": {{ApiFixtures.Snapshot}}, "action": {{ApiFixtures.Action}}}""");
        var client = TestClient.Create(stub);
        var request = new CreateImageRequest { Description = "drover-base", Type = "snapshot", Labels = new Dictionary<string, string> { ["drover.example/channel"] = "stable" } };

        // Act
        var result = await client.Servers.CreateImageAsync(42, request, Ct);

        // Assert
        result.Image.Id.ShouldBe(4711);
        result.Image.Name.ShouldBeNull();
    }

    [Fact]
    public async Task Rebuild_sends_the_image_and_reads_a_null_root_password()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Post, "/v1/servers/42/actions/rebuild")
            .WithJsonBody("""{"image": 4711, "user_data": "#cloud-config\n"}""")
            .Respond(HttpStatusCode.Created, $$"""{"root_password": null, "action": {{ApiFixtures.Action}}}""");
        var client = TestClient.Create(stub);

        // Act
        var result = await client.Servers.RebuildAsync(42, new RebuildServerRequest { Image = 4711L, UserData = "#cloud-config\n" }, Ct);

        // Assert
        result.RootPassword.ShouldBeNull();
    }

    [Fact]
    public async Task ChangeType_and_network_actions_send_their_bodies()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Post, "/v1/servers/42/actions/change_type")
            .WithJsonBody("""{"server_type": "cpx32", "upgrade_disk": false}""").Respond(HttpStatusCode.Created, _actionResponse);
        stub.Expect(HttpMethod.Post, "/v1/servers/42/actions/attach_to_network")
            .WithJsonBody("""{"network": 4711, "ip": "10.0.1.5"}""").Respond(HttpStatusCode.Created, _actionResponse);
        stub.Expect(HttpMethod.Post, "/v1/servers/42/actions/detach_from_network")
            .WithJsonBody("""{"network": 4711}""").Respond(HttpStatusCode.Created, _actionResponse);
        var client = TestClient.Create(stub);

        // Act
        await client.Servers.ChangeTypeAsync(42, new ChangeServerTypeRequest { ServerType = "cpx32", UpgradeDisk = false }, Ct);
        await client.Servers.AttachToNetworkAsync(42, new AttachToNetworkRequest { Network = 4711, Ip = "10.0.1.5" }, Ct);
        await client.Servers.DetachFromNetworkAsync(42, new DetachFromNetworkRequest { Network = 4711 }, Ct);

        // Assert
        stub.VerifyAllCalled();
    }
}
