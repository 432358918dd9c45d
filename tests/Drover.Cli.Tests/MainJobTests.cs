using System.Text.Json;
using Drover.Hcloud.Contracts;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Cli.Tests;

/// <summary>
/// The README's main job as a test: 'drover demo' on a private local cloud builds a Debian image, imports it through a
/// rescue system, bootstraps two servers, boots both under QEMU, and checks both agents over SSH; with --clone it then
/// snapshots demo-1 and boots demo-3 from that snapshot, whose agent must treat it as a new instance. Machine test: root,
/// QEMU, network namespaces and the Debian mirror; skipped with the reason elsewhere.
/// </summary>
[MachineTier]
[Collection(DemoCollection.Name)]
public sealed class MainJobTests : IAsyncDisposable
{
    private readonly CliRunner _cli = new();

    public ValueTask DisposeAsync() => _cli.DisposeAsync();

    [Fact]
    public async Task Demo_builds_imports_boots_two_servers_and_both_agents_converge_then_leaves_nothing()
    {
        SkipUnlessMachinesCanBoot();
        _cli.ShareRootfsCache();

        var demo = await _cli.RunAsync("demo", "--clone", "--work-dir", Path.Combine(_cli.Home, "demo"));

        demo.ExitCode.ShouldBe(0, demo.ToString());
        var lines = demo.Stdout.Split('\n');
        // demo-3 is made from a snapshot of demo-1 after its first boot: its agent must see a new instance.
        foreach (var host in new[] { "demo-1", "demo-2", "demo-3" })
        {
            var row = lines.Single(l => l.StartsWith(host + " ", StringComparison.Ordinal));
            row.ShouldContain($" {host} ", Case.Sensitive, "the hostname the agent set must be the server name");
            row.ShouldContain(" ok ");
        }
        demo.Stdout.ShouldContain("build a Debian image");
        demo.Stdout.ShouldContain("total");
        demo.Stderr.ShouldContain("drover-agent");
        demo.Stderr.ShouldContain("demo-3: hostname demo-3, agent ok");
        demo.Stderr.ShouldContain("host key new");

        var servers = await _cli.RunAsync("server", "list", "-o", "json");
        var images = await _cli.RunAsync("image", "list", "--type", "snapshot", "-o", "json");
        var keys = await _cli.RunAsync("ssh-key", "list", "-o", "json");
        JsonSerializer.Deserialize(servers.Stdout, HcloudJsonContext.Default.IReadOnlyListServer)!.ShouldBeEmpty();
        JsonSerializer.Deserialize(images.Stdout, HcloudJsonContext.Default.IReadOnlyListImage)!.ShouldBeEmpty();
        JsonSerializer.Deserialize(keys.Stdout, HcloudJsonContext.Default.IReadOnlyListSshKey)!.ShouldBeEmpty();
    }

    private static void SkipUnlessMachinesCanBoot()
    {
        if (Environment.UserName != "root")
        {
            Assert.Skip("the main job needs root (network namespaces, loop devices, QEMU in namespaces)");
        }
        foreach (var tool in new[] { "/usr/bin/qemu-system-x86_64", "/usr/bin/mmdebstrap", "/usr/sbin/sshd", "/usr/bin/nc" })
        {
            if (!File.Exists(tool))
            {
                Assert.Skip($"{tool} is missing (bash scripts/setup installs it)");
            }
        }
    }
}
