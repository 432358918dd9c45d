using System.Net;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Tests.Fixtures;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Hcloud.Tests;

public sealed class VolumesClientTests
{
    private const string VolumeResponse = $$"""{"volume": {{ApiFixtures.Volume}}}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Get_returns_the_volume_or_null_when_missing()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/volumes/42").Respond(HttpStatusCode.OK, VolumeResponse);
        stub.Expect(HttpMethod.Get, "/v1/volumes/43").RespondError(HttpStatusCode.NotFound, ErrorCode.NotFound, "volume not found");
        var client = TestClient.Create(stub);

        // Act
        var found = await client.Volumes.GetAsync(42, Ct);
        var missing = await client.Volumes.GetAsync(43, Ct);

        // Assert
        found.ShouldNotBeNull().LinuxDevice.ShouldBe("/dev/disk/by-id/scsi-0HC_Volume_4711");
        missing.ShouldBeNull();
    }

    [Fact]
    public async Task Create_posts_size_and_location_and_reads_a_null_action()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Post, "/v1/volumes")
            .WithJsonBody("""{"name": "data", "size": 10, "location": "fsn1", "format": "ext4"}""")
            .Respond(HttpStatusCode.Created, $$"""{"volume": {{ApiFixtures.Volume}}, "action": null, "next_actions": []}""");
        var client = TestClient.Create(stub);

        // Act
        var result = await client.Volumes.CreateAsync(new CreateVolumeRequest { Name = "data", Size = 10, Location = "fsn1", Format = "ext4" }, Ct);

        // Assert
        result.Volume.Id.ShouldBe(42);
        result.Action.ShouldBeNull();
    }

    [Fact]
    public async Task List_filters_by_status()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/volumes?status=available&status=creating&page=1&per_page=50").Respond(HttpStatusCode.OK, ApiFixtures.ListPage("volumes", 1, 1, 50, ApiFixtures.Volume));
        var client = TestClient.Create(stub);

        // Act
        var volumes = await client.Volumes.ListAsync(new VolumeListOptions { Status = ["available", "creating"] }, Ct).ToListAsync(Ct);

        // Assert
        volumes.Single().Status.ShouldBe("available");
    }

    [Fact]
    public async Task Attach_detach_update_and_delete()
    {
        // Arrange
        var action = $$"""{"action": {{ApiFixtures.ActionWith(8, "running", command: "attach_volume")}}}""";
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Post, "/v1/volumes/42/actions/attach").WithJsonBody("""{"server": 12, "automount": true}""").Respond(HttpStatusCode.Created, action);
        stub.Expect(HttpMethod.Post, "/v1/volumes/42/actions/detach").WithBody(b => b.ShouldBeEmpty()).Respond(HttpStatusCode.Created, action);
        stub.Expect(HttpMethod.Put, "/v1/volumes/42").WithJsonBody("""{"name": "data-2"}""").Respond(HttpStatusCode.OK, VolumeResponse);
        stub.Expect(HttpMethod.Delete, "/v1/volumes/42").Respond(HttpStatusCode.NoContent, null);
        var client = TestClient.Create(stub);

        // Act
        var attached = await client.Volumes.AttachAsync(42, new AttachVolumeRequest { Server = 12, Automount = true }, Ct);
        var detached = await client.Volumes.DetachAsync(42, Ct);
        await client.Volumes.UpdateAsync(42, new UpdateVolumeRequest { Name = "data-2" }, Ct);
        await client.Volumes.DeleteAsync(42, Ct);

        // Assert
        attached.Id.ShouldBe(8);
        detached.Id.ShouldBe(8);
    }
}
