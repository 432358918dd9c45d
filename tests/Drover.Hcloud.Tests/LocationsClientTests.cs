using System.Net;
using Drover.Hcloud.Tests.Fixtures;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Hcloud.Tests;

public sealed class LocationsClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Get_returns_the_location_or_null_when_missing()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/locations/42").Respond(HttpStatusCode.OK, $$"""{"location": {{ApiFixtures.Location}}}""");
        stub.Expect(HttpMethod.Get, "/v1/locations/43").RespondError(HttpStatusCode.NotFound, ErrorCode.NotFound, "location not found");
        var client = TestClient.Create(stub);

        // Act
        var found = await client.Locations.GetAsync(42, Ct);
        var missing = await client.Locations.GetAsync(43, Ct);

        // Assert
        found.ShouldNotBeNull().City.ShouldBe("Falkenstein");
        missing.ShouldBeNull();
    }

    [Fact]
    public async Task List_sends_sort_and_name_and_reads_all_pages()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/locations?name=fsn1&sort=id%3Aasc&page=1&per_page=50").Respond(HttpStatusCode.OK, ApiFixtures.ListPage("locations", 1, 1, 50, ApiFixtures.Location));
        var client = TestClient.Create(stub);

        // Act
        var locations = await client.Locations.ListAsync(new CatalogListOptions { Name = "fsn1", Sort = ["id:asc"] }, Ct).ToListAsync(Ct);

        // Assert
        locations.Single().Name.ShouldBe("fsn1");
    }

    [Fact]
    public async Task GetByName_returns_null_on_an_empty_list()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/locations?name=mars1&page=1&per_page=1").Respond(HttpStatusCode.OK, ApiFixtures.ListPage("locations", 1, 1, 1));
        var client = TestClient.Create(stub);

        // Act
        var location = await client.Locations.GetByNameAsync("mars1", Ct);

        // Assert
        location.ShouldBeNull();
    }
}
