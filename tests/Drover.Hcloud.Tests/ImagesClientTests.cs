using System.Net;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Labels;
using Drover.Hcloud.Tests.Fixtures;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Hcloud.Tests;

public sealed class ImagesClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Get_returns_the_image_or_null_when_missing()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/images/42").Respond(HttpStatusCode.OK, $$"""{"image": {{ApiFixtures.Image}}}""");
        stub.Expect(HttpMethod.Get, "/v1/images/43").RespondError(HttpStatusCode.NotFound, ErrorCode.NotFound, "image not found");
        var client = TestClient.Create(stub);

        // Act
        var found = await client.Images.GetAsync(42, Ct);
        var missing = await client.Images.GetAsync(43, Ct);

        // Assert
        found.ShouldNotBeNull().Name.ShouldBe("ubuntu-24.04");
        missing.ShouldBeNull();
    }

    [Fact]
    public async Task List_options_produce_the_exact_query_with_repeated_parameters()
    {
        // Arrange
        var options = new ImageListOptions
        {
            LabelSelector = LabelSelector.Parse("drover.example/channel=stable,!drover.example/retired"),
            Sort = ["created:desc"],
            Type = [ImageType.Snapshot, ImageType.Backup],
            Status = [ImageStatus.Available],
            Architecture = Architecture.Arm,
            IncludeDeprecated = true,
            BoundTo = [42, 43],
        };
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get,
                "/v1/images?label_selector=drover.example%2Fchannel%3Dstable%2C%21drover.example%2Fretired&sort=created%3Adesc" +
                "&type=snapshot&type=backup&status=available&architecture=arm&include_deprecated=true&bound_to=42&bound_to=43&page=1&per_page=50")
            .Respond(HttpStatusCode.OK, ApiFixtures.ListPage("images", 1, 1, 50, ApiFixtures.Snapshot));
        var client = TestClient.Create(stub);

        // Act
        var images = await client.Images.ListAsync(options, Ct).ToListAsync(Ct);

        // Assert
        images.Single().Id.ShouldBe(4711);
    }

    [Fact]
    public async Task List_follows_next_page_and_sends_the_same_filters_on_every_page()
    {
        // Arrange
        var options = new ImageListOptions { Type = [ImageType.System] };
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/images?type=system&page=1&per_page=50").Respond(HttpStatusCode.OK, ApiFixtures.ListPage("images", 1, 2, 50, ApiFixtures.Image));
        stub.Expect(HttpMethod.Get, "/v1/images?type=system&page=2&per_page=50").Respond(HttpStatusCode.OK, ApiFixtures.ListPage("images", 2, 2, 50, ApiFixtures.Snapshot));
        var client = TestClient.Create(stub);

        // Act
        var images = await client.Images.ListAsync(options, Ct).ToListAsync(Ct);

        // Assert
        images.Select(i => i.Id).ShouldBe([42L, 4711L]);
    }

    [Fact]
    public async Task GetByName_filters_by_name_and_architecture()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/images?name=ubuntu-24.04&architecture=x86&page=1&per_page=2")
            .Respond(HttpStatusCode.OK, ApiFixtures.ListPage("images", 1, 1, 2, ApiFixtures.Image));
        var client = TestClient.Create(stub);

        // Act
        var image = await client.Images.GetByNameAsync("ubuntu-24.04", Architecture.X86, Ct);

        // Assert
        image.ShouldNotBeNull().Id.ShouldBe(42);
    }

    [Fact]
    public async Task Update_puts_description_and_labels()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Put, "/v1/images/4711")
            .WithJsonBody("""{"description": "drover-base", "labels": {"drover.example/channel": "beta"}}""")
            .Respond(HttpStatusCode.OK, $$"""{"image": {{ApiFixtures.Snapshot}}}""");
        var client = TestClient.Create(stub);
        var request = new UpdateImageRequest { Description = "drover-base", Labels = new Dictionary<string, string> { ["drover.example/channel"] = "beta" } };

        // Act
        var image = await client.Images.UpdateAsync(4711, request, Ct);

        // Assert
        image.Id.ShouldBe(4711);
    }

    [Fact]
    public async Task Delete_accepts_204_without_content()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Delete, "/v1/images/4711").Respond(HttpStatusCode.NoContent, null);
        var client = TestClient.Create(stub);

        // Act
        await client.Images.DeleteAsync(4711, Ct);

        // Assert
        stub.VerifyAllCalled();
    }

    [Fact]
    public async Task Delete_of_a_protected_image_throws_protected()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Delete, "/v1/images/4711").RespondError(HttpStatusCode.Locked, ErrorCode.Protected, "image is delete protected");
        var client = TestClient.Create(stub);

        // Act
        var error = await Should.ThrowAsync<HcloudApiException>(() => client.Images.DeleteAsync(4711, Ct));

        // Assert
        error.Code.ShouldBe(ErrorCode.Protected);
    }
}
