using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Shouldly;
using Xunit;

namespace Drover.Agent.Tests.NoCloud;

public sealed class NoCloudRunTests
{
    /// <summary>A URL on 127.0.0.1 where nothing listens: the metadata service does not answer (connection refused).</summary>
    private static Uri Nowhere()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/hetzner/v1/");
    }

    private static Task<(int ExitCode, string Output)> RunAsync(TempRoot root, Uri url, INoCloudMedia media, bool force = false, TimeSpan? timeout = null) =>
        AgentHarness.RunAsync(root, url, force, o => o with { NoCloudMedia = media, Timeout = timeout ?? o.Timeout });

    private static JsonElement Status(TempRoot root) => JsonDocument.Parse(root.Read("/var/lib/drover/status.json")).RootElement;

    [Fact]
    public async Task Without_the_metadata_service_a_cidata_drive_configures_the_host_and_converges()
    {
        // Arrange
        using var root = new TempRoot();
        var drive = NoCloudFixtures.Write(root["/fixture/cidata"], NoCloudFixtures.ProxmoxMetaData, NoCloudFixtures.DroverUserData, NoCloudFixtures.ProxmoxNetworkV1);
        var media = new FixtureMedia(drive);

        // Act
        var (exitCode, output) = await RunAsync(root, Nowhere(), media);

        // Assert
        exitCode.ShouldBe(0);
        output.ShouldContain("drover-agent: select-source source: nocloud (drive /dev/fixture-cidata; the metadata service did not answer, 1 attempt)");
        root.Read("/etc/hostname").ShouldBe("nc1\n");
        root.Read("/root/.ssh/authorized_keys").ShouldContain(" drover\n");
        root.Read("/etc/systemd/network/10-drover-nocloud-0.network").ShouldContain($"MACAddress={NoCloudFixtures.Mac0}\n");
        root.Read("/etc/systemd/network/10-drover-nocloud-2.network").ShouldContain("DHCP=ipv6\n");
        File.Exists(root["/etc/hcloud-metadata.json"]).ShouldBeFalse();
        JsonDocument.Parse(root.Read("/etc/drover/nocloud.json")).RootElement.GetProperty("meta-data").GetProperty("instance-id").GetString().ShouldBe(NoCloudFixtures.InstanceId);
        root.Read("/etc/drover/nocloud-userdata").ShouldBe(NoCloudFixtures.DroverUserData);
        root.Read("/converge.log").ShouldBe($"converge for nc1 {NoCloudFixtures.InstanceId} nocloud\n");
        var status = Status(root);
        status.GetProperty("status").GetString().ShouldBe("ok");
        status.GetProperty("source").GetString().ShouldBe("nocloud");
        status.GetProperty("instance_id").GetString().ShouldBe(NoCloudFixtures.InstanceId);
        status.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("name").GetString()).ShouldBe([
            "select-source", "read-nocloud", "parse-nocloud", "write-metadata", "write-userdata",
            "hostname", "authorized-keys", "network", "flake-target", "converge"]);
        root.Read("/var/lib/drover/agent.done").ShouldStartWith($"instance-id={NoCloudFixtures.InstanceId} source=nocloud finished=");
        output.ShouldContain($"DROVER-AGENT status=ok hostname=nc1 instance-id={NoCloudFixtures.InstanceId} agent_ms=");
        output.ShouldContain(" source=nocloud");
    }

    [Fact]
    public async Task When_the_metadata_service_answers_it_wins_over_a_drive()
    {
        // Arrange
        await using var server = (await FakeMetadataServer.StartAsync()).WithDefaults(Fixtures.DroverUserData);
        using var root = new TempRoot();
        var media = new FixtureMedia(NoCloudFixtures.Write(root["/fixture/cidata"], NoCloudFixtures.ProxmoxMetaData, null, null));

        // Act
        var (exitCode, output) = await RunAsync(root, server.BaseUrl, media);

        // Assert
        exitCode.ShouldBe(0);
        output.ShouldContain("drover-agent: select-source source: hetzner-metadata (1 attempt)");
        media.Finds.ShouldBe(0);
        Status(root).GetProperty("source").GetString().ShouldBe("hetzner-metadata");
        root.Read("/var/lib/drover/agent.done").ShouldStartWith("instance-id=42 source=hetzner-metadata finished=");
    }

    [Fact]
    public async Task With_neither_source_both_are_retried_until_one_appears()
    {
        // Arrange: no metadata service, and the drive shows up at the third look (udev was slow).
        using var root = new TempRoot();
        var media = new FixtureMedia(NoCloudFixtures.Write(root["/fixture/cidata"], NoCloudFixtures.ProxmoxMetaData, NoCloudFixtures.ProxmoxUserData, null)) { AppearAfter = 2 };

        // Act
        var (exitCode, output) = await RunAsync(root, Nowhere(), media);

        // Assert
        exitCode.ShouldBe(0);
        media.Finds.ShouldBe(3);
        output.ShouldContain("source: nocloud (drive /dev/fixture-cidata; the metadata service did not answer, 3 attempts)");
        root.Read("/etc/hostname").ShouldBe("pve-web1\n");
    }

    [Fact]
    public async Task With_neither_source_until_the_deadline_the_run_fails_naming_both()
    {
        // Arrange
        using var root = new TempRoot();
        var media = new FixtureMedia(null);

        // Act
        var (exitCode, _) = await RunAsync(root, Nowhere(), media, timeout: TimeSpan.FromMilliseconds(200));

        // Assert
        exitCode.ShouldBe(1);
        media.Finds.ShouldBeGreaterThan(0);
        var error = Status(root).GetProperty("error").GetString()!;
        error.ShouldContain("metadata did not answer within 0.2s");
        error.ShouldEndWith("and no NoCloud drive (label cidata) was found");
        File.Exists(root["/var/lib/drover/agent.done"]).ShouldBeFalse();
    }

    [Fact]
    public async Task The_same_instance_id_runs_once_and_a_new_one_runs_again_with_new_host_keys_like_cloud_init()
    {
        // Arrange
        using var root = new TempRoot();
        var drive = NoCloudFixtures.Write(root["/fixture/cidata"], NoCloudFixtures.ProxmoxMetaData, NoCloudFixtures.DroverUserData, null);
        var url = Nowhere();
        (await RunAsync(root, url, new FixtureMedia(drive))).ExitCode.ShouldBe(0);
        // A Proxmox VM's SMBIOS serial (if any) is not its instance-id: it must not make a NoCloud marker foreign.
        root.Write("/sys/class/dmi/id/product_serial", "some-smbios-serial\n");

        // Act 1: a later boot with the same drive.
        var again = new FixtureMedia(drive);
        var (exitCode, output) = await RunAsync(root, url, again);

        // Assert 1
        exitCode.ShouldBe(0);
        output.ShouldContain("exists for this instance: a previous run finished");
        root.Read("/converge.log").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(1);

        // Act 2: user-data changed, so Proxmox wrote a new instance-id.
        NoCloudFixtures.Write(drive, "instance-id: 0000000000000000000000000000000000000001\n", NoCloudFixtures.DroverUserData, null);
        root.Write("/etc/ssh/ssh_host_rsa_key", "old key");
        var changed = new FixtureMedia(drive);
        (exitCode, output) = await RunAsync(root, url, changed);

        // Assert 2
        exitCode.ShouldBe(0);
        output.ShouldContain($"is from instance {NoCloudFixtures.InstanceId}, this is 0000000000000000000000000000000000000001 (the NoCloud drive's meta-data): running the first boot again");
        changed.Reads.ShouldBe(1); // the marker check's read serves the run
        File.Exists(root["/etc/ssh/ssh_host_rsa_key"]).ShouldBeFalse();
        File.Exists(root["/etc/ssh/ssh_host_ed25519_key"]).ShouldBeTrue();
        root.Read("/converge.log").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(2);
        root.Read("/var/lib/drover/agent.done").ShouldStartWith("instance-id=0000000000000000000000000000000000000001 source=nocloud ");
    }

    [Fact]
    public async Task The_early_instance_check_compares_a_nocloud_marker_with_the_drive()
    {
        // Arrange
        using var root = new TempRoot();
        var drive = NoCloudFixtures.Write(root["/fixture/cidata"], NoCloudFixtures.ProxmoxMetaData, null, null);
        root.Write("/var/lib/drover/agent.done", "instance-id=an-older-instance source=nocloud finished=2026-01-01T00:00:00.0000000+00:00\n");
        root.Write("/etc/ssh/ssh_host_ed25519_key", "cloned key");

        // Act
        var (exitCode, output) = await AgentHarness.RunAsync(root, Nowhere(), configure: o => o with { InstanceCheck = true, NoCloudMedia = new FixtureMedia(drive) });

        // Assert
        exitCode.ShouldBe(0);
        output.ShouldContain($"is from instance an-older-instance, this is {NoCloudFixtures.InstanceId}: removed it and 1 SSH host key file(s)");
        File.Exists(root["/var/lib/drover/agent.done"]).ShouldBeFalse();
    }

    [Fact]
    public async Task Block_devices_are_found_by_label_and_read_where_the_mount_table_says_they_are_mounted()
    {
        // Arrange: a root with /dev/disk/by-label/cidata -> ../../sr0 and /dev/sr0 mounted on /media/cidata.
        using var root = new TempRoot();
        root.Write("/dev/sr0", "");
        Directory.CreateDirectory(root["/dev/disk/by-label"]);
        File.CreateSymbolicLink(root["/dev/disk/by-label/cidata"], "../../sr0");
        NoCloudFixtures.Write(root["/media/cidata drive"], NoCloudFixtures.ProxmoxMetaData, NoCloudFixtures.ProxmoxUserData, NoCloudFixtures.NetworkV2);
        root.Write("/proc/self/mounts", "proc /proc proc rw 0 0\n/dev/sr0 /media/cidata\\040drive iso9660 ro,relatime 0 0\n");
        var options = new AgentOptions { Root = root.Path };
        var media = new BlockDeviceMedia(new RootFs(root.Path), options);

        // Act
        var device = await media.FindAsync(TestContext.Current.CancellationToken);
        var seed = await media.ReadAsync(device!, TestContext.Current.CancellationToken);

        // Assert
        device.ShouldBe("/dev/sr0");
        seed.MetaData.ShouldBe(NoCloudFixtures.ProxmoxMetaData);
        seed.NetworkConfig.ShouldBe(NoCloudFixtures.NetworkV2);
    }

    [Fact]
    public async Task An_unmounted_drive_outside_the_live_system_is_an_error_not_a_mount()
    {
        // Arrange
        using var root = new TempRoot();
        root.Write("/dev/disk/by-label/CIDATA", "");
        var media = new BlockDeviceMedia(new RootFs(root.Path), new AgentOptions { Root = root.Path });

        // Act
        var device = await media.FindAsync(TestContext.Current.CancellationToken);
        var error = await Should.ThrowAsync<AgentException>(() => media.ReadAsync(device!, TestContext.Current.CancellationToken));

        // Assert
        device.ShouldBe("/dev/disk/by-label/CIDATA");
        error.Message.ShouldBe("the NoCloud drive /dev/disk/by-label/CIDATA is not mounted, and with a root other than / the agent mounts nothing");
    }

    [Fact]
    public async Task Without_a_drive_the_block_device_search_finds_nothing_outside_the_live_system()
    {
        using var root = new TempRoot();
        (await new BlockDeviceMedia(new RootFs(root.Path), new AgentOptions { Root = root.Path }).FindAsync(TestContext.Current.CancellationToken)).ShouldBeNull();
    }
}
