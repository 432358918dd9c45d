using System.Text.Json;
using Drover.LocalCloud.Tests.Support;
using Shouldly;
using Xunit;

namespace Drover.LocalCloud.Tests;

/// <summary>
/// The official <c>hcloud</c> CLI (Debian's 1.30.3) against the local cloud on 127.0.0.1: a black-box check that a
/// real client accepts its wire format. Skipped, with the reason, where <c>hcloud</c> or <c>ssh-keygen</c> is missing.
/// </summary>
public sealed class HcloudCliTests
{
    private static TimeSpan ActionDuration => TimeSpan.FromMilliseconds(100);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ssh_key_create_and_delete_succeed()
    {
        // Arrange
        await using var cli = await HcloudCliSession.StartAsync(ActionDuration);
        var publicKeyFile = await cli.GenerateKeyAsync("k1", Ct);

        // Act
        var create = await cli.HcloudAsync(["ssh-key", "create", "--name", "k1", "--public-key-from-file", publicKeyFile], Ct);
        var stored = await cli.SendAsync(HttpMethod.Get, "ssh_keys?name=k1", null, Ct);
        var delete = await cli.HcloudAsync(["ssh-key", "delete", "k1"], Ct);
        var afterDelete = await cli.SendAsync(HttpMethod.Get, "ssh_keys", null, Ct);

        // Assert
        create.ExitCode.ShouldBe(0, create.ToString());
        var key = stored.Json.GetProperty("ssh_keys").EnumerateArray().ShouldHaveSingleItem();
        create.StdOut.ShouldContain($"SSH key {key.GetProperty("id").GetInt64()} created");
        key.GetProperty("public_key").GetString().ShouldBe((await File.ReadAllTextAsync(publicKeyFile, Ct)).Trim());
        delete.ExitCode.ShouldBe(0, delete.ToString());
        delete.StdOut.ShouldContain("SSH Key k1 deleted");
        afterDelete.Json.GetProperty("ssh_keys").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Server_create_with_image_type_location_label_user_data_and_ssh_key_succeeds()
    {
        // Arrange
        await using var cli = await HcloudCliSession.StartAsync(ActionDuration);
        await CreateSshKeyAsync(cli, "k1");
        var userData = cli.Home.File("user-data.yaml");
        await File.WriteAllTextAsync(userData, "#cloud-config\nruncmd:\n  - echo hello\n", Ct);

        // Act
        var create = await cli.HcloudAsync(
            ["server", "create", "--name", "srv1", "--image", "ubuntu-24.04", "--type", "cx23", "--location", "fsn1",
             "--label", "role=test", "--user-data-from-file", userData, "--ssh-key", "k1"], Ct);
        var servers = await cli.SendAsync(HttpMethod.Get, "servers?name=srv1", null, Ct);

        // Assert
        create.ExitCode.ShouldBe(0, create.ToString());
        var server = servers.Json.GetProperty("servers").EnumerateArray().ShouldHaveSingleItem();
        create.StdOut.ShouldContain($"Server {server.GetProperty("id").GetInt64()} created");
        create.StdOut.ShouldContain($"IPv4: {server.GetProperty("public_net").GetProperty("ipv4").GetProperty("ip").GetString()}");
        server.GetProperty("status").GetString().ShouldBe("running");
        server.GetProperty("server_type").GetProperty("name").GetString().ShouldBe("cx23");
        server.GetProperty("location").GetProperty("name").GetString().ShouldBe("fsn1");
        server.GetProperty("image").GetProperty("name").GetString().ShouldBe("ubuntu-24.04");
        server.GetProperty("labels").GetProperty("role").GetString().ShouldBe("test");
    }

    [Fact]
    public async Task Server_list_and_describe_show_the_server()
    {
        // Arrange
        await using var cli = await HcloudCliSession.StartAsync(ActionDuration);
        var server = await CreateServerAsync(cli, "srv1");
        var ip = server.GetProperty("public_net").GetProperty("ipv4").GetProperty("ip").GetString()!;

        // Act
        var list = await cli.HcloudAsync(["server", "list"], Ct);
        var filtered = await cli.HcloudAsync(["server", "list", "-l", "role=test"], Ct);
        var none = await cli.HcloudAsync(["server", "list", "-l", "role=other"], Ct);
        var describe = await cli.HcloudAsync(["server", "describe", "srv1"], Ct);

        // Assert
        foreach (var result in new[] { list, filtered, none, describe })
        {
            result.ExitCode.ShouldBe(0, result.ToString());
        }
        list.StdOut.ShouldMatch($@"{server.GetProperty("id").GetInt64()}\s+srv1\s+running\s+{ip.Replace(".", @"\.", StringComparison.Ordinal)}\s");
        filtered.StdOut.ShouldContain("srv1");
        none.StdOut.ShouldNotContain("srv1");
        describe.StdOut.ShouldMatch(@"Name:\s+srv1");
        describe.StdOut.ShouldMatch(@"Status:\s+running");
        describe.StdOut.ShouldMatch(@"Server Type:\s+cx23");
        describe.StdOut.ShouldMatch(@"Name:\s+ubuntu-24\.04");
        describe.StdOut.ShouldMatch(@"Name:\s+fsn1-dc14");
        describe.StdOut.ShouldContain($"IP:\t\t{ip}");
        describe.StdOut.ShouldContain("role: test");
    }

    [Fact]
    public async Task Enable_rescue_prints_the_root_password_and_enables_rescue()
    {
        // Arrange
        await using var cli = await HcloudCliSession.StartAsync(ActionDuration);
        await CreateSshKeyAsync(cli, "k1");
        var id = (await CreateServerAsync(cli, "srv1")).GetProperty("id").GetInt64();

        // Act
        var result = await cli.HcloudAsync(["server", "enable-rescue", "--type", "linux64", "--ssh-key", "k1", "srv1"], Ct);
        var server = await cli.GetAsync($"servers/{id}", "server", Ct);

        // Assert
        result.ExitCode.ShouldBe(0, result.ToString());
        result.StdOut.ShouldMatch($@"Rescue enabled for server {id} with root password: \S+");
        server.GetProperty("rescue_enabled").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task Poweroff_stops_the_server()
    {
        // Arrange
        await using var cli = await HcloudCliSession.StartAsync(ActionDuration);
        var id = (await CreateServerAsync(cli, "srv1")).GetProperty("id").GetInt64();

        // Act
        var result = await cli.HcloudAsync(["server", "poweroff", "srv1"], Ct);
        var server = await cli.GetAsync($"servers/{id}", "server", Ct);

        // Assert
        result.ExitCode.ShouldBe(0, result.ToString());
        result.StdOut.ShouldContain($"Server {id} stopped");
        server.GetProperty("status").GetString().ShouldBe("off");
    }

    [Fact]
    public async Task Create_image_makes_a_labelled_snapshot_that_image_list_and_describe_show()
    {
        // Arrange
        await using var cli = await HcloudCliSession.StartAsync(ActionDuration);
        var id = (await CreateServerAsync(cli, "srv1")).GetProperty("id").GetInt64();

        // Act
        var create = await cli.HcloudAsync(["server", "create-image", "--type", "snapshot", "--description", "snap1", "--label", "role=base", "srv1"], Ct);
        var snapshots = await cli.SendAsync(HttpMethod.Get, "images?type=snapshot", null, Ct);
        var list = await cli.HcloudAsync(["image", "list", "-l", "role=base"], Ct);
        var image = snapshots.Json.GetProperty("images").EnumerateArray().ShouldHaveSingleItem();
        var imageId = image.GetProperty("id").GetInt64();
        var describe = await cli.HcloudAsync(["image", "describe", imageId.ToString(System.Globalization.CultureInfo.InvariantCulture)], Ct);

        // Assert
        create.ExitCode.ShouldBe(0, create.ToString());
        create.StdOut.ShouldContain($"Image {imageId} created from server {id}");
        image.GetProperty("status").GetString().ShouldBe("available");
        image.GetProperty("labels").GetProperty("role").GetString().ShouldBe("base");
        list.ExitCode.ShouldBe(0, list.ToString());
        list.StdOut.ShouldMatch($@"{imageId}\s+snapshot\s+-\s+snap1\s");
        describe.ExitCode.ShouldBe(0, describe.ToString());
        describe.StdOut.ShouldMatch(@"Type:\s+snapshot");
        describe.StdOut.ShouldMatch(@"Status:\s+available");
        describe.StdOut.ShouldMatch(@"Name:\s+-");
        describe.StdOut.ShouldMatch(@"Description:\s+snap1");
        describe.StdOut.ShouldContain("role: base");
    }

    [Fact]
    public async Task Server_delete_removes_the_server()
    {
        // Arrange
        await using var cli = await HcloudCliSession.StartAsync(ActionDuration);
        var id = (await CreateServerAsync(cli, "srv1")).GetProperty("id").GetInt64();

        // Act
        var result = await cli.HcloudAsync(["server", "delete", "srv1"], Ct);
        await cli.FinishActionsAsync();
        var after = await cli.SendAsync(HttpMethod.Get, $"servers/{id}", null, Ct);

        // Assert
        result.ExitCode.ShouldBe(0, result.ToString());
        result.StdOut.ShouldContain("Server srv1 deleted");
        after.Status.ShouldBe(404);
    }

    [Fact]
    public async Task Server_create_with_an_unknown_type_fails_with_invalid_input()
    {
        // Arrange
        await using var cli = await HcloudCliSession.StartAsync(ActionDuration);

        // Act
        var result = await cli.HcloudAsync(["server", "create", "--name", "srv9", "--image", "ubuntu-24.04", "--type", "cx99", "--location", "fsn1"], Ct);
        var servers = await cli.SendAsync(HttpMethod.Get, "servers", null, Ct);

        // Assert
        result.ExitCode.ShouldNotBe(0, result.ToString());
        result.Output.ShouldContain("invalid_input");
        servers.Json.GetProperty("servers").GetArrayLength().ShouldBe(0);
    }

    private static async Task CreateSshKeyAsync(HcloudCliSession cli, string name)
    {
        var publicKey = (await File.ReadAllTextAsync(await cli.GenerateKeyAsync(name, Ct), Ct)).Trim();
        var reply = await cli.SendAsync(HttpMethod.Post, "ssh_keys", JsonSerializer.Serialize(new Dictionary<string, string> { ["name"] = name, ["public_key"] = publicKey }), Ct);
        CloudHarness.Created(reply, "ssh_key");
    }

    /// <summary>A running server named <paramref name="name"/> labelled <c>role=test</c>, made through the API.</summary>
    private static async Task<JsonElement> CreateServerAsync(HcloudCliSession cli, string name)
    {
        var reply = await cli.SendAsync(HttpMethod.Post, "servers",
            $$"""{"name": "{{name}}", "server_type": "cx23", "image": "ubuntu-24.04", "location": "fsn1", "labels": {"role": "test"} }""", Ct);
        var id = CloudHarness.Created(reply, "server");
        await cli.FinishActionsAsync();
        return await cli.GetAsync($"servers/{id}", "server", Ct);
    }
}
