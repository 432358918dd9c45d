using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Tests.Support;
using Shouldly;
using Xunit;

namespace Drover.LocalCloud.Tests;

public sealed partial class LocalCloudBehaviourTests
{
    [Fact]
    public async Task Resources_survive_a_restart_on_the_same_state_directory()
    {
        // Arrange
        using var directory = new TempDirectory();
        LocalCloudOptions Persistent(LocalCloudOptions o) => o with { StateDirectory = directory.Path };
        long keyId, serverId, imageId, networkId;
        await using (var first = await CloudHarness.StartAsync(configure: Persistent))
        {
            keyId = (await first.Client.SshKeys.CreateAsync(new CreateSshKeyRequest { Name = "k1", PublicKey = TestKeys.Ed25519(1) }, Ct)).Id;
            var created = await first.Client.Servers.CreateAsync(new CreateServerRequest
            {
                Name = "web-1",
                ServerType = "cx23",
                Image = "ubuntu-24.04",
                SshKeys = [keyId],
                Labels = new Dictionary<string, string> { ["role"] = "web" },
            }, Ct);
            serverId = created.Server.Id;
            await first.Client.Actions.WaitAsync([created.Action, .. created.NextActions], cancellationToken: Ct);
            var snapshot = await first.Client.Servers.CreateImageAsync(serverId, new CreateImageRequest { Description = "golden", Labels = new Dictionary<string, string> { ["role"] = "base" } }, Ct);
            imageId = snapshot.Image.Id;
            await first.Client.Actions.WaitAsync([snapshot.Action], cancellationToken: Ct);
            networkId = CloudHarness.Created(await first.PostAsync("networks", """{"name": "net", "ip_range": "10.0.0.0/16"}""", Ct), "network");
        }

        // Act
        await using var second = await CloudHarness.StartAsync(configure: Persistent);
        var server = await second.Client.Servers.GetAsync(serverId, Ct);
        var image = await second.Client.Images.GetAsync(imageId, Ct);
        var key = await second.Client.SshKeys.GetAsync(keyId, Ct);
        var network = await second.GetAsync($"networks/{networkId}", Ct);
        var newKey = await second.Client.SshKeys.CreateAsync(new CreateSshKeyRequest { Name = "k2", PublicKey = TestKeys.Ed25519(2) }, Ct);

        // Assert
        server.ShouldNotBeNull();
        server.Name.ShouldBe("web-1");
        server.Status.ShouldBe(ServerStatus.Running);
        server.Labels["role"].ShouldBe("web");
        image.ShouldNotBeNull();
        image.Status.ShouldBe(ImageStatus.Available);
        image.Description.ShouldBe("golden");
        image.Name.ShouldBeNull();
        key.ShouldNotBeNull().Fingerprint.ShouldNotBeNullOrEmpty();
        network.Status.ShouldBe(200);
        network.Json.GetProperty("network").GetProperty("ip_range").GetString().ShouldBe("10.0.0.0/16");
        newKey.Id.ShouldBeGreaterThan(new[] { keyId, serverId, imageId, networkId }.Max());
    }

    [Fact]
    public async Task The_state_file_is_replaced_atomically_without_leaving_a_temporary_file()
    {
        // Arrange
        using var directory = new TempDirectory();
        await using var cloud = await CloudHarness.StartAsync(configure: o => o with { StateDirectory = directory.Path });

        // Act
        for (var i = 0; i < 5; i++)
        {
            await cloud.CreateSshKeyAsync($"k{i}", i, Ct);
        }
        await cloud.CreateRunningServerAsync("web-1", Ct);
        var files = Directory.GetFiles(directory.Path).Select(Path.GetFileName).ToList();
        var saved = await File.ReadAllTextAsync(directory.File("state.json"), Ct);

        // Assert
        files.ShouldBe(["state.json"]);
        saved.ShouldContain("\"name\":\"k4\"");
        saved.ShouldContain("\"name\":\"web-1\"");
    }
}
