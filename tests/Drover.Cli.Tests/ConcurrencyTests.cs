using System.Text.Json;
using System.Text.Json.Nodes;
using Drover.Hcloud.Contracts;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Cli.Tests;

/// <summary>
/// Two Drover commands at once, as separate processes: two bootstraps of one fleet make each host once and both
/// succeed; two uploads of one image make one snapshot, on one machine (they take turns) and from two machines (two
/// HOMEs, one cloud: they converge on the older snapshot).
/// </summary>
public sealed class ConcurrencyTests : IAsyncDisposable
{
    private readonly CliRunner _cli = new();

    public ValueTask DisposeAsync() => _cli.DisposeAsync();

    [Fact]
    public async Task Two_bootstraps_of_one_fleet_at_once_create_each_host_once_and_both_succeed()
    {
        // Arrange
        var dir = Path.Combine(_cli.Home, "fleet");
        (await _cli.RunAsync("init", "--dir", dir)).ExitCode.ShouldBe(0);
        (await _cli.RunAsync("local", "up")).ExitCode.ShouldBe(0);
        var config = Path.Combine(dir, "drover.yaml");

        // Act
        await using var first = DroverProcess.Start(_cli.Environment, "bootstrap", "--config", config, "-o", "json");
        await using var second = DroverProcess.Start(_cli.Environment, "bootstrap", "--config", config, "-o", "json");
        var results = await Task.WhenAll(first.WaitAsync(TimeSpan.FromMinutes(3), Ct), second.WaitAsync(TimeSpan.FromMinutes(3), Ct));

        // Assert
        foreach (var r in results)
        {
            r.ExitCode.ShouldBe(0, r.ToString());
            r.Stderr.ShouldNotContain("error", Case.Insensitive);
        }
        var hosts = results.Select(r => JsonNode.Parse(r.Stdout)!["hosts"]!.AsArray().ToDictionary(h => h!["name"]!.GetValue<string>(), h => h!)).ToList();
        foreach (var name in hosts[0].Keys)
        {
            var changes = hosts.Select(h => h[name]!["change"]!.GetValue<string>()).Order().ToList();
            changes.ShouldBe(["create", "keep"], $"{name}: one run creates it, the other keeps it (made by the concurrent run, or seen by its plan)");
            hosts.Select(h => h[name]!["id"]!.GetValue<long>()).Distinct().ShouldHaveSingleItem($"{name}: both runs report the same server");
        }
        var servers = await _cli.RunAsync("server", "list", "-l", "drover/fleet", "-o", "json");
        JsonSerializer.Deserialize(servers.Stdout, HcloudJsonContext.Default.IReadOnlyListServer)!.Select(s => s.Name).Order().ShouldBe(hosts[0].Keys.Order(), "no duplicates");
    }

    [Fact]
    [MachineTier]
    public async Task Two_uploads_of_one_image_at_once_on_one_machine_make_one_snapshot()
    {
        // Arrange
        if (await MachineCloud.UpAsync(_cli) is { } reason)
        {
            Assert.Skip(reason);
        }
        var image = await RandomImageAsync(_cli.Home);

        // Act
        await using var first = DroverProcess.Start(_cli.Environment, "image", "upload", "--image-path", image, "--allow-unscanned", "-o", "json");
        await using var second = DroverProcess.Start(_cli.Environment, "image", "upload", "--image-path", image, "--allow-unscanned", "-o", "json");
        var results = await Task.WhenAll(first.WaitAsync(TimeSpan.FromMinutes(5), Ct), second.WaitAsync(TimeSpan.FromMinutes(5), Ct));

        // Assert
        await ShouldBeOneSnapshotAsync(_cli, results);
        results.Count(r => r.Stderr.Contains("already holds this image", StringComparison.Ordinal)).ShouldBe(1, "the second upload waited for the first and reused its snapshot");
        results.Count(r => r.Stderr.Contains("wait for another upload of this image on this machine", StringComparison.Ordinal)).ShouldBe(1);
    }

    [Fact]
    [MachineTier]
    public async Task Two_uploads_of_one_image_at_once_from_two_machines_converge_on_one_snapshot()
    {
        // Arrange: a second HOME is a second machine (its own run ledger, no shared lock), pointed at this cloud.
        if (await MachineCloud.UpAsync(_cli) is { } reason)
        {
            Assert.Skip(reason);
        }
        using var other = new CliRunner();
        using (var status = await MachineCloud.StatusAsync(_cli))
        {
            other.Environment["HCLOUD_ENDPOINT"] = status.RootElement.GetProperty("endpoint").GetString();
            other.Environment["HCLOUD_TOKEN"] = status.RootElement.GetProperty("token").GetString();
        }
        var image = await RandomImageAsync(_cli.Home);

        // Act
        await using var first = DroverProcess.Start(_cli.Environment, "image", "upload", "--image-path", image, "--allow-unscanned", "-o", "json");
        await using var second = DroverProcess.Start(other.Environment, "image", "upload", "--image-path", image, "--allow-unscanned", "-o", "json");
        var results = await Task.WhenAll(first.WaitAsync(TimeSpan.FromMinutes(5), Ct), second.WaitAsync(TimeSpan.FromMinutes(5), Ct));

        // Assert
        await ShouldBeOneSnapshotAsync(_cli, results);
    }

    /// <summary>Both exited 0 and printed the same snapshot, the only one; no temporary resource is left.</summary>
    private static async Task ShouldBeOneSnapshotAsync(CliRunner cli, CliResult[] results)
    {
        foreach (var r in results)
        {
            r.ExitCode.ShouldBe(0, r.ToString());
        }
        var ids = results.Select(r => JsonSerializer.Deserialize(r.Stdout, HcloudJsonContext.Default.Image)!.Id).Distinct().ToList();
        ids.ShouldHaveSingleItem("both uploads report the same snapshot");
        var snapshots = await cli.RunAsync("image", "list", "--type", "snapshot", "-o", "json");
        JsonSerializer.Deserialize(snapshots.Stdout, HcloudJsonContext.Default.IReadOnlyListImage)!.Select(i => i.Id).ShouldBe(ids, "one image, one snapshot");
        var servers = await cli.RunAsync("server", "list", "-l", "drover/created-by", "-o", "json");
        JsonSerializer.Deserialize(servers.Stdout, HcloudJsonContext.Default.IReadOnlyListServer)!.ShouldBeEmpty();
    }

    /// <summary>A 64 MiB image of random data.</summary>
    private static async Task<string> RandomImageAsync(string directory)
    {
        var path = Path.Combine(directory, "image.raw");
        var data = new byte[64 << 20];
        System.Security.Cryptography.RandomNumberGenerator.Fill(data);
        await File.WriteAllBytesAsync(path, data, Ct);
        return path;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}
