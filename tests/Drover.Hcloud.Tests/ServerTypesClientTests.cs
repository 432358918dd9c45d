using System.Net;
using Drover.Hcloud.Tests.Fixtures;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Hcloud.Tests;

public sealed class ServerTypesClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Get_returns_the_server_type_or_null_when_missing()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/server_types/1").Respond(HttpStatusCode.OK, $$"""{"server_type": {{ApiFixtures.ServerType}}}""");
        stub.Expect(HttpMethod.Get, "/v1/server_types/2").RespondError(HttpStatusCode.NotFound, ErrorCode.NotFound, "server type not found");
        var client = TestClient.Create(stub);

        // Act
        var found = await client.ServerTypes.GetAsync(1, Ct);
        var missing = await client.ServerTypes.GetAsync(2, Ct);

        // Assert
        found.ShouldNotBeNull().Name.ShouldBe("cpx22");
        missing.ShouldBeNull();
    }

    [Fact]
    public async Task GetByName_filters_by_name()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/server_types?name=cpx22&page=1&per_page=1").Respond(HttpStatusCode.OK, ApiFixtures.ListPage("server_types", 1, 1, 1, ApiFixtures.ServerType));
        var client = TestClient.Create(stub);

        // Act
        var type = await client.ServerTypes.GetByNameAsync("cpx22", Ct);

        // Assert
        type.ShouldNotBeNull().Cores.ShouldBe(2);
    }

    [Fact]
    public async Task List_follows_next_page()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/server_types?page=1&per_page=50").Respond(HttpStatusCode.OK, ApiFixtures.ListPage("server_types", 1, 2, 50, ApiFixtures.ServerType));
        stub.Expect(HttpMethod.Get, "/v1/server_types?page=2&per_page=50").Respond(HttpStatusCode.OK, ApiFixtures.ListPage("server_types", 2, 2, 50, ApiFixtures.ServerType));
        var client = TestClient.Create(stub);

        // Act
        var types = await client.ServerTypes.ListAsync(cancellationToken: Ct).ToListAsync(Ct);

        // Assert
        types.Count.ShouldBe(2);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public async Task GetByName_rejects_a_blank_name(string name)
    {
        // Arrange
        using var stub = new StubHttpHandler();
        var client = TestClient.Create(stub);

        // Act / Assert
        await Should.ThrowAsync<ArgumentException>(() => client.ServerTypes.GetByNameAsync(name, Ct));
    }
}
