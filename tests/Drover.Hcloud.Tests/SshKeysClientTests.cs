using System.Net;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Labels;
using Drover.Hcloud.Tests.Fixtures;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Hcloud.Tests;

public sealed class SshKeysClientTests
{
    private const string KeyResponse = $$"""{"ssh_key": {{ApiFixtures.SshKey}}}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Get_returns_the_key_or_null_when_missing()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/ssh_keys/42").Respond(HttpStatusCode.OK, KeyResponse);
        stub.Expect(HttpMethod.Get, "/v1/ssh_keys/43").RespondError(HttpStatusCode.NotFound, ErrorCode.NotFound, "ssh key not found");
        var client = TestClient.Create(stub);

        // Act
        var found = await client.SshKeys.GetAsync(42, Ct);
        var missing = await client.SshKeys.GetAsync(43, Ct);

        // Assert
        found.ShouldNotBeNull().Fingerprint.ShouldBe("b7:2f:30:a0:2f:6c:58:6c:21:04:58:61:ba:06:3b:2f");
        missing.ShouldBeNull();
    }

    [Fact]
    public async Task GetByName_and_GetByFingerprint_filter_the_list()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/ssh_keys?name=my-resource&page=1&per_page=1").Respond(HttpStatusCode.OK, ApiFixtures.ListPage("ssh_keys", 1, 1, 1, ApiFixtures.SshKey));
        stub.Expect(HttpMethod.Get, "/v1/ssh_keys?fingerprint=b7%3A2f&page=1&per_page=1").Respond(HttpStatusCode.OK, ApiFixtures.ListPage("ssh_keys", 1, 1, 1));
        var client = TestClient.Create(stub);

        // Act
        var byName = await client.SshKeys.GetByNameAsync("my-resource", Ct);
        var byFingerprint = await client.SshKeys.GetByFingerprintAsync("b7:2f", Ct);

        // Assert
        byName.ShouldNotBeNull().Id.ShouldBe(42);
        byFingerprint.ShouldBeNull();
    }

    [Fact]
    public async Task List_follows_pages_with_the_label_selector()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/ssh_keys?label_selector=drover.example%2Fcreated-by&page=1&per_page=50")
            .Respond(HttpStatusCode.OK, ApiFixtures.ListPage("ssh_keys", 1, 2, 50, ApiFixtures.SshKey));
        stub.Expect(HttpMethod.Get, "/v1/ssh_keys?label_selector=drover.example%2Fcreated-by&page=2&per_page=50")
            .Respond(HttpStatusCode.OK, ApiFixtures.ListPage("ssh_keys", 2, 2, 50, ApiFixtures.SshKey));
        var client = TestClient.Create(stub);

        // Act
        var keys = await client.SshKeys.ListAsync(new SshKeyListOptions { LabelSelector = LabelSelector.Parse("drover.example/created-by") }, Ct).ToListAsync(Ct);

        // Assert
        keys.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Create_posts_name_public_key_and_labels()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Post, "/v1/ssh_keys")
            .WithJsonBody("""{"name": "drover-tmp", "public_key": "ssh-ed25519 AAAAC3Nz", "labels": {"drover.example/created-by": "drover"}}""")
            .Respond(HttpStatusCode.Created, KeyResponse);
        var client = TestClient.Create(stub);
        var request = new CreateSshKeyRequest
        {
            Name = "drover-tmp",
            PublicKey = "ssh-ed25519 AAAAC3Nz",
            Labels = new Dictionary<string, string> { ["drover.example/created-by"] = "drover" },
        };

        // Act
        var key = await client.SshKeys.CreateAsync(request, Ct);

        // Assert
        key.Id.ShouldBe(42);
    }

    [Fact]
    public async Task Create_with_a_duplicate_fingerprint_throws_uniqueness_error_naming_the_field()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Post, "/v1/ssh_keys").RespondError(HttpStatusCode.Conflict, ErrorCode.UniquenessError,
            "SSH key with the same fingerprint already exists", """{"fields": [{"name": "public_key"}]}""");
        var client = TestClient.Create(stub);

        // Act
        var error = await Should.ThrowAsync<HcloudApiException>(() =>
            client.SshKeys.CreateAsync(new CreateSshKeyRequest { Name = "dup", PublicKey = "ssh-ed25519 AAAA" }, Ct));

        // Assert
        error.Code.ShouldBe(ErrorCode.UniquenessError);
        error.Details!.Fields!.Single().Name.ShouldBe("public_key");
        error.Message.ShouldContain("public_key");
    }

    [Fact]
    public async Task Update_and_delete()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Put, "/v1/ssh_keys/42").WithJsonBody("""{"name": "renamed"}""").Respond(HttpStatusCode.OK, KeyResponse);
        stub.Expect(HttpMethod.Delete, "/v1/ssh_keys/42").Respond(HttpStatusCode.NoContent, null);
        var client = TestClient.Create(stub);

        // Act
        await client.SshKeys.UpdateAsync(42, new UpdateSshKeyRequest { Name = "renamed" }, Ct);
        await client.SshKeys.DeleteAsync(42, Ct);

        // Assert
        stub.VerifyAllCalled();
    }
}
