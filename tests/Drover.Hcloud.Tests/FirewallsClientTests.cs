using System.Net;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Tests.Fixtures;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Hcloud.Tests;

public sealed class FirewallsClientTests
{
    private const string FirewallResponse = $$"""{"firewall": {{ApiFixtures.Firewall}}}""";
    private static readonly string _actionsResponse = $$"""{"actions": [{{ApiFixtures.ActionWith(5, "running", command: "apply_firewall")}}]}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Get_returns_the_firewall_or_null_when_missing()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/firewalls/42").Respond(HttpStatusCode.OK, FirewallResponse);
        stub.Expect(HttpMethod.Get, "/v1/firewalls/43").RespondError(HttpStatusCode.NotFound, ErrorCode.NotFound, "firewall not found");
        var client = TestClient.Create(stub);

        // Act
        var found = await client.Firewalls.GetAsync(42, Ct);
        var missing = await client.Firewalls.GetAsync(43, Ct);

        // Assert
        found.ShouldNotBeNull().Rules.Single().Port.ShouldBe("80");
        missing.ShouldBeNull();
    }

    [Fact]
    public async Task Create_posts_rules_and_targets_and_returns_the_actions()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Post, "/v1/firewalls")
            .WithJsonBody("""
                {"name": "web",
                 "rules": [{"description": null, "direction": "in", "source_ips": ["0.0.0.0/0", "::/0"], "destination_ips": [], "protocol": "tcp", "port": "443"}],
                 "apply_to": [{"type": "label_selector", "label_selector": {"selector": "role=web"}}]}
                """)
            .Respond(HttpStatusCode.Created, $$"""{"firewall": {{ApiFixtures.Firewall}}, "actions": [{{ApiFixtures.ActionWith(5, "running")}}]}""");
        var client = TestClient.Create(stub);
        var request = new CreateFirewallRequest
        {
            Name = "web",
            Rules = [new FirewallRule { Direction = "in", SourceIps = ["0.0.0.0/0", "::/0"], Protocol = "tcp", Port = "443" }],
            ApplyTo = [new FirewallResource { Type = "label_selector", LabelSelector = new FirewallLabelSelector { Selector = "role=web" } }],
        };

        // Act
        var result = await client.Firewalls.CreateAsync(request, Ct);

        // Assert
        result.Firewall.Id.ShouldBe(42);
        result.Actions.Single().Id.ShouldBe(5);
    }

    [Fact]
    public async Task Apply_remove_and_set_rules_return_their_actions()
    {
        // Arrange
        var target = new FirewallResource { Type = "server", Server = new ResourceId { Id = 42 } };
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Post, "/v1/firewalls/42/actions/apply_to_resources")
            .WithJsonBody("""{"apply_to": [{"type": "server", "server": {"id": 42}}]}""").Respond(HttpStatusCode.Created, _actionsResponse);
        stub.Expect(HttpMethod.Post, "/v1/firewalls/42/actions/remove_from_resources")
            .WithJsonBody("""{"remove_from": [{"type": "server", "server": {"id": 42}}]}""").Respond(HttpStatusCode.Created, _actionsResponse);
        stub.Expect(HttpMethod.Post, "/v1/firewalls/42/actions/set_rules")
            .WithJsonBody("""{"rules": []}""").Respond(HttpStatusCode.Created, _actionsResponse);
        var client = TestClient.Create(stub);

        // Act
        var applied = await client.Firewalls.ApplyToResourcesAsync(42, new ApplyFirewallRequest { ApplyTo = [target] }, Ct);
        var removed = await client.Firewalls.RemoveFromResourcesAsync(42, new RemoveFirewallRequest { RemoveFrom = [target] }, Ct);
        var set = await client.Firewalls.SetRulesAsync(42, new SetFirewallRulesRequest { Rules = [] }, Ct);

        // Assert
        new[] { applied, removed, set }.ShouldAllBe(actions => actions.Count == 1);
    }

    [Fact]
    public async Task List_update_and_delete()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/firewalls?name=new-name&page=1&per_page=1").Respond(HttpStatusCode.OK, ApiFixtures.ListPage("firewalls", 1, 1, 1, ApiFixtures.Firewall));
        stub.Expect(HttpMethod.Put, "/v1/firewalls/42").WithJsonBody("""{"labels": {}}""").Respond(HttpStatusCode.OK, FirewallResponse);
        stub.Expect(HttpMethod.Delete, "/v1/firewalls/42").Respond(HttpStatusCode.NoContent, null);
        var client = TestClient.Create(stub);

        // Act
        var found = await client.Firewalls.GetByNameAsync("new-name", Ct);
        await client.Firewalls.UpdateAsync(42, new UpdateFirewallRequest { Labels = new Dictionary<string, string>() }, Ct);
        await client.Firewalls.DeleteAsync(42, Ct);

        // Assert
        found.ShouldNotBeNull();
    }
}
