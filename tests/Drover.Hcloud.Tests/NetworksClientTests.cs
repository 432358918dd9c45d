using System.Net;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Tests.Fixtures;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Hcloud.Tests;

public sealed class NetworksClientTests
{
    private const string NetworkResponse = $$"""{"network": {{ApiFixtures.Network}}}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Get_returns_the_network_or_null_when_missing()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/networks/4711").Respond(HttpStatusCode.OK, NetworkResponse);
        stub.Expect(HttpMethod.Get, "/v1/networks/1").RespondError(HttpStatusCode.NotFound, ErrorCode.NotFound, "network not found");
        var client = TestClient.Create(stub);

        // Act
        var found = await client.Networks.GetAsync(4711, Ct);
        var missing = await client.Networks.GetAsync(1, Ct);

        // Assert
        found.ShouldNotBeNull().IpRange.ShouldBe("10.0.0.0/16");
        missing.ShouldBeNull();
    }

    [Fact]
    public async Task GetByName_and_List_use_the_list_endpoint()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/networks?name=mynet&page=1&per_page=1").Respond(HttpStatusCode.OK, ApiFixtures.ListPage("networks", 1, 1, 1, ApiFixtures.Network));
        stub.Expect(HttpMethod.Get, "/v1/networks?page=1&per_page=50").Respond(HttpStatusCode.OK, ApiFixtures.ListPage("networks", 1, 1, 50, ApiFixtures.Network));
        var client = TestClient.Create(stub);

        // Act
        var byName = await client.Networks.GetByNameAsync("mynet", Ct);
        var all = await client.Networks.ListAsync(cancellationToken: Ct).ToListAsync(Ct);

        // Assert
        byName.ShouldNotBeNull().Id.ShouldBe(4711);
        all.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Create_posts_ip_range_and_subnets()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Post, "/v1/networks")
            .WithJsonBody("""
                {"name": "mynet", "ip_range": "10.0.0.0/16",
                 "subnets": [{"type": "cloud", "ip_range": "10.0.1.0/24", "network_zone": "eu-central"}],
                 "labels": {"env": "prod"}}
                """)
            .Respond(HttpStatusCode.Created, NetworkResponse);
        var client = TestClient.Create(stub);
        var request = new CreateNetworkRequest
        {
            Name = "mynet",
            IpRange = "10.0.0.0/16",
            Subnets = [new CreateSubnet { Type = "cloud", IpRange = "10.0.1.0/24", NetworkZone = "eu-central" }],
            Labels = new Dictionary<string, string> { ["env"] = "prod" },
        };

        // Act
        var network = await client.Networks.CreateAsync(request, Ct);

        // Assert
        network.Id.ShouldBe(4711);
    }

    [Fact]
    public async Task Update_add_subnet_and_delete()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Put, "/v1/networks/4711").WithJsonBody("""{"name": "renamed"}""").Respond(HttpStatusCode.OK, NetworkResponse);
        stub.Expect(HttpMethod.Post, "/v1/networks/4711/actions/add_subnet")
            .WithJsonBody("""{"type": "cloud", "ip_range": "10.0.2.0/24", "network_zone": "eu-central"}""")
            .Respond(HttpStatusCode.Created, $$"""{"action": {{ApiFixtures.ActionWith(3, "running", command: "add_subnet")}}}""");
        stub.Expect(HttpMethod.Delete, "/v1/networks/4711").Respond(HttpStatusCode.NoContent, null);
        var client = TestClient.Create(stub);

        // Act
        await client.Networks.UpdateAsync(4711, new UpdateNetworkRequest { Name = "renamed" }, Ct);
        var action = await client.Networks.AddSubnetAsync(4711, new CreateSubnet { Type = "cloud", IpRange = "10.0.2.0/24", NetworkZone = "eu-central" }, Ct);
        await client.Networks.DeleteAsync(4711, Ct);

        // Assert
        action.Command.ShouldBe("add_subnet");
    }
}
