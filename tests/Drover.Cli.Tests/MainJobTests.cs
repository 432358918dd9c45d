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
    public async Task Demo_builds_imports_a_delta_of_version_2_boots_two_servers_from_it_and_both_agents_converge_then_leaves_nothing()
    {
        SkipUnlessMachinesCanBoot();
        _cli.ShareRootfsCache();

        var demo = await _cli.RunAsync("demo", "--clone", "--delta", "--work-dir", Path.Combine(_cli.Home, "demo"));

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
        // Version 2 went as a delta (one changed 4 MiB block) and the servers booted from it.
        demo.Stdout.ShouldContain("upload it as a delta over the first");
        demo.Stderr.ShouldMatch(@"snapshot \d+: a delta over \d+, 4\.0 MiB sent, \d+ MiB skipped");

        var servers = await _cli.RunAsync("server", "list", "-o", "json");
        var images = await _cli.RunAsync("image", "list", "--type", "snapshot", "-o", "json");
        var keys = await _cli.RunAsync("ssh-key", "list", "-o", "json");
        JsonSerializer.Deserialize(servers.Stdout, HcloudJsonContext.Default.IReadOnlyListServer)!.ShouldBeEmpty();
        JsonSerializer.Deserialize(images.Stdout, HcloudJsonContext.Default.IReadOnlyListImage)!.ShouldBeEmpty();
        JsonSerializer.Deserialize(keys.Stdout, HcloudJsonContext.Default.IReadOnlyListSshKey)!.ShouldBeEmpty();
    }

    [Fact]
    public async Task Demo_for_arm_imports_an_arm64_image_through_cax_and_one_arm_host_boots_under_uefi_and_converges()
    {
        SkipUnlessMachinesCanBoot();
        foreach (var file in new[] { "/usr/bin/qemu-system-aarch64", "/usr/share/AAVMF/AAVMF_CODE.fd", "/proc/sys/fs/binfmt_misc/qemu-aarch64" })
        {
            if (!File.Exists(file))
            {
                Assert.Skip($"{file} is missing (bash scripts/setup installs qemu-system-arm, qemu-efi-aarch64 and qemu-user-static, and registers qemu-aarch64 with binfmt_misc)");
            }
        }
        _cli.ShareRootfsCache();
        var work = Path.Combine(_cli.Home, "demo");

        var demo = await _cli.RunAsync("demo", "--architecture", "arm", "--hosts", "1", "--work-dir", work);

        demo.ExitCode.ShouldBe(0, demo.ToString());
        var row = demo.Stdout.Split('\n').Single(l => l.StartsWith("demo-1 ", StringComparison.Ordinal));
        row.ShouldContain(" demo-1 ", Case.Sensitive, "the hostname the agent set must be the server name");
        row.ShouldContain(" ok ");
        demo.Stdout.ShouldNotContain("demo-2");
        demo.Stderr.ShouldContain("find or publish drover-agent (linux-arm64)");
        demo.Stderr.ShouldContain("rescue system (cax11)");
        // The image: arm64, a GPT disk with an EFI system partition holding GRUB for arm64-efi, and the root last.
        var manifest = Images.Build.ImageManifest.Read(Path.Combine(work, "image", "drover-demo-arm.manifest.json"));
        manifest.Architecture.ShouldBe("arm");
        manifest.Labels["arch"].ShouldBe("arm");
        manifest.Scan.Scanned.ShouldBeTrue();
        using var table = JsonDocument.Parse(await TestProcess.CheckAsync("/usr/sbin/sfdisk", "-J", manifest.Path!));
        var types = table.RootElement.GetProperty("partitiontable").GetProperty("partitions").EnumerateArray().Select(p => p.GetProperty("type").GetString()).ToList();
        types.ShouldBe(["C12A7328-F81F-11D2-BA4B-00A0C93EC93B", "B921B045-1DF0-41C3-AF44-4C6F280D3FAE"]);
        (await TestProcess.CheckAsync("mdir", "-b", "-i", $"{manifest.Path}@@{2048 * 512}", "::/EFI/BOOT")).ShouldContain("BOOTAA64.EFI");

        var servers = await _cli.RunAsync("server", "list", "-o", "json");
        var images = await _cli.RunAsync("image", "list", "--type", "snapshot", "-o", "json");
        JsonSerializer.Deserialize(servers.Stdout, HcloudJsonContext.Default.IReadOnlyListServer)!.ShouldBeEmpty();
        JsonSerializer.Deserialize(images.Stdout, HcloudJsonContext.Default.IReadOnlyListImage)!.ShouldBeEmpty();
    }

    [Fact]
    public async Task Demo_on_proxmox_templates_the_image_clones_two_vms_that_read_their_cloud_init_drive_and_converge_then_leaves_nothing()
    {
        SkipUnlessMachinesCanBoot();
        if (!File.Exists("/usr/bin/genisoimage"))
        {
            Assert.Skip("/usr/bin/genisoimage is missing (bash scripts/setup installs it; the local Proxmox VE builds cloud-init drives with it)");
        }
        _cli.ShareRootfsCache();

        var demo = await _cli.RunAsync("demo", "--target", "proxmox", "--work-dir", Path.Combine(_cli.Home, "demo-proxmox"));

        demo.ExitCode.ShouldBe(0, demo.ToString());
        var lines = demo.Stdout.Split('\n');
        foreach (var host in new[] { "demo-1", "demo-2" })
        {
            var row = lines.Single(l => l.StartsWith(host + " ", StringComparison.Ordinal));
            row.ShouldContain($" {host} ", Case.Sensitive, "the hostname the agent set must be the VM's name");
            row.ShouldContain(" ok ");
        }
        // demo-2 has the static address of its fleet entry; demo-1 the one the guest agent reported.
        lines.Single(l => l.StartsWith("demo-2 ", StringComparison.Ordinal)).ShouldContain(" 198.19.254.250 ");
        demo.Stderr.ShouldContain("make a Proxmox template of it");
        demo.Stderr.ShouldContain("cloning template");
        demo.Stderr.ShouldContain("waiting for the guest agent to report an address");

        var vms = await _cli.RunAsync("proxmox", "vms", "-o", "json");
        vms.ExitCode.ShouldBe(0, vms.ToString());
        JsonDocument.Parse(vms.Stdout).RootElement.GetArrayLength().ShouldBe(0, vms.Stdout);
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
