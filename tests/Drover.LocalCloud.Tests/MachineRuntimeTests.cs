using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Tests.Support;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.LocalCloud.Tests;

/// <summary>
/// Real rescue systems (sshd in a network and mount namespace, <c>/dev/sda</c> = a loop device over the server's sparse
/// disk), driven through <see cref="Hcloud.HcloudClient"/> and reached with the real ssh client. Skipped, with the
/// reason, where the machine cannot run them.
/// </summary>
[MachineTier]
public sealed class MachineRuntimeTests
{
    private const long Cx23DiskBytes = 40L * 1024 * 1024 * 1024;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Status_reports_machines_when_rescue_systems_can_run_and_why_not_when_off()
    {
        // Arrange
        await using var machines = await MachineHarness.StartAsync();
        await using var off = await Testing.TestLocalCloud.StartInMemoryAsync(Testing.TestLocalCloud.DefaultOptions() with { Machines = MachineMode.Off });

        // Act
        var on = await machines.Cloud.ControlAsync(HttpMethod.Get, "status");
        var offStatus = await off.ControlAsync(HttpMethod.Get, "status");

        // Assert
        var statusOn = System.Text.Json.JsonSerializer.Deserialize(await on.Content.ReadAsStringAsync(Ct), LocalCloudJsonContext.Default.ControlStatus)!;
        var statusOff = System.Text.Json.JsonSerializer.Deserialize(await offStatus.Content.ReadAsStringAsync(Ct), LocalCloudJsonContext.Default.ControlStatus)!;
        statusOn.Machine.Mode.ShouldBe("machines");
        statusOff.Machine.Mode.ShouldBe("api-only");
        statusOff.Machine.Reason.ShouldNotBeNull().ShouldContain("off");
    }

    [Fact]
    public async Task After_poweron_in_rescue_ssh_works_with_the_rescue_key_and_dev_sda_is_the_servers_disk()
    {
        // Arrange
        await using var cloud = await MachineHarness.StartAsync();
        var key = await cloud.CreateSshKeyAsync(Ct);
        var server = await cloud.CreateServerAsync("rescue-1", Ct);

        // Act
        var address = await cloud.BootRescueAsync(server, key, Ct);
        var size = await cloud.SshAsync(address, "test -b /dev/sda && blockdev --getsize64 /dev/sda", Ct);
        var shell = await cloud.SshAsync(address, "echo $0; echo $(ls /dev); command -v dd blkdiscard curl", Ct);
        var home = await cloud.SshAsync(address, "echo \"$HOME\"; findmnt -n -o FSTYPE --target \"$HOME\"; ls -A \"$HOME\" | wc -l", Ct);
        var machine = await cloud.MachineOfAsync(server.Id);
        var after = await cloud.Client.Servers.GetAsync(server.Id, Ct);

        // Assert
        size.ExitCode.ShouldBe(0, size.ToString());
        size.StdOut.Trim().ShouldBe(Cx23DiskBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        shell.ExitCode.ShouldBe(0, shell.ToString());
        var lines = shell.StdOut.Split('\n');
        lines[0].ShouldBe("bash");
        lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).ShouldBe(
            ["fd", "full", "null", "ptmx", "pts", "random", "sda", "stderr", "stdin", "stdout", "tty", "urandom", "zero"], ignoreOrder: true);
        // The host's root dotfiles (a ~/.bashrc that bash reads even for 'ssh host command') stay out of the rescue system.
        home.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldBe(["/root", "tmpfs", "0"], home.ToString());
        machine.Rescue.Running.ShouldBeTrue();
        machine.Rescue.Address.ShouldBe(address);
        machine.Rescue.LoopDevice.ShouldNotBeNull().ShouldStartWith("/dev/loop");
        machine.DiskPath.ShouldNotBeNull();
        new FileInfo(machine.DiskPath).Length.ShouldBe(Cx23DiskBytes);
        (await HostLeftovers.LoopDevicesOverAsync(machine.DiskPath, Ct)).ShouldBe([machine.Rescue.LoopDevice]);
        after!.Status.ShouldBe(ServerStatus.Running);
        after.RescueEnabled.ShouldBeFalse("rescue is disabled again once the server booted into it");
    }

    [Fact]
    public async Task Only_the_rescue_keys_may_log_in()
    {
        // Arrange
        await using var cloud = await MachineHarness.StartAsync();
        var key = await cloud.CreateSshKeyAsync(Ct);
        var server = await cloud.CreateServerAsync("rescue-keys", Ct);
        var address = await cloud.BootRescueAsync(server, key, Ct);
        var other = cloud.Directory.File("other_ed25519");
        (await ProcessRunner.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", other], cloud.Directory.Path, new Dictionary<string, string?>(), Ct)).ExitCode.ShouldBe(0);

        // Act
        var withOther = await MachineHarness.SshAsync(other, address, "true", cloud.Directory.Path, Ct);
        var withRescueKey = await cloud.SshAsync(address, "true", Ct);

        // Assert
        withOther.ExitCode.ShouldBe(255, withOther.ToString());
        withOther.StdErr.ShouldContain("Permission denied");
        withRescueKey.ExitCode.ShouldBe(0, withRescueKey.ToString());
    }

    [Fact]
    public async Task Bytes_written_in_rescue_reach_the_snapshot_and_a_server_created_from_it()
    {
        // Arrange
        await using var cloud = await MachineHarness.StartAsync();
        var key = await cloud.CreateSshKeyAsync(Ct);
        var server = await cloud.CreateServerAsync("writer", Ct);
        var address = await cloud.BootRescueAsync(server, key, Ct);
        var marker = $"drover-machine-test-{Guid.NewGuid():N}";
        const long Offset = 5L * 1024 * 1024 * 1024 + 4096;
        var write = await cloud.SshAsync(address, $"printf '%s' '{marker}' | dd of=/dev/sda bs=4096 seek={Offset / 4096} conv=notrunc,fsync status=none", Ct);
        write.ExitCode.ShouldBe(0, write.ToString());
        await cloud.Client.Actions.WaitAsync([await cloud.Client.Servers.PowerOffAsync(server.Id, Ct)], cancellationToken: Ct);

        // Act
        var created = await cloud.Client.Servers.CreateImageAsync(server.Id, new CreateImageRequest { Type = "snapshot", Description = "machine-test" }, Ct);
        await cloud.Client.Actions.WaitAsync([created.Action], cancellationToken: Ct);
        var image = await cloud.Client.Images.GetAsync(created.Image.Id, Ct);
        var stored = await cloud.ImageMachineOfAsync(created.Image.Id);
        var ranged = await ReadRangeAsync(cloud, $"images/{created.Image.Id}/disk", Offset, marker.Length);
        var copy = await cloud.CreateServerAsync("from-snapshot", Ct, created.Image.Id);
        var copyDisk = (await cloud.MachineOfAsync(copy.Id)).DiskPath;

        // Assert
        image!.Status.ShouldBe(ImageStatus.Available);
        image.ImageSize.ShouldNotBeNull().ShouldBeGreaterThan(0);
        image.ImageSize.Value.ShouldBeLessThan(0.01, "only the written data is measured, not 40 GB of holes");
        stored.DiskPath.ShouldNotBeNull();
        new FileInfo(stored.DiskPath).Length.ShouldBe(Cx23DiskBytes);
        ReadAt(stored.DiskPath, Offset, marker.Length).ShouldBe(marker);
        ranged.ShouldBe(marker);
        copyDisk.ShouldNotBeNull();
        ReadAt(copyDisk, Offset, marker.Length).ShouldBe(marker);
        (await AllocatedBytesAsync(copyDisk)).ShouldBeLessThan(1L << 30, "the copy stays sparse");

        // Deleting the image deletes its stored disk.
        await cloud.Client.Images.DeleteAsync(created.Image.Id, Ct);
        File.Exists(stored.DiskPath).ShouldBeFalse();
    }

    [Fact]
    public async Task Poweroff_stops_sshd_releases_the_loop_device_and_deletes_the_namespace()
    {
        // Arrange
        await using var cloud = await MachineHarness.StartAsync();
        var key = await cloud.CreateSshKeyAsync(Ct);
        var server = await cloud.CreateServerAsync("stopper", Ct);
        var address = await cloud.BootRescueAsync(server, key, Ct);
        var running = await cloud.MachineOfAsync(server.Id);
        (await HostLeftovers.OfAsync(running.Rescue, running.DiskPath!, Ct)).ShouldNotBeEmpty();

        // Act
        await cloud.Client.Actions.WaitAsync([await cloud.Client.Servers.PowerOffAsync(server.Id, Ct)], cancellationToken: Ct);
        var ssh = await cloud.SshAsync(address, "true", Ct);
        var stopped = await cloud.MachineOfAsync(server.Id);

        // Assert
        ssh.ExitCode.ShouldBe(255);
        ssh.StdErr.ShouldMatch("(Connection refused|No route to host|Network is unreachable)");
        (await HostLeftovers.OfAsync(running.Rescue, running.DiskPath!, Ct)).ShouldBeEmpty();
        stopped.Rescue.Running.ShouldBeFalse();
        (await cloud.Client.Servers.GetAsync(server.Id, Ct))!.Status.ShouldBe(ServerStatus.Off);
    }

    [Fact]
    public async Task Reset_in_rescue_starts_a_fresh_rescue_system_when_rescue_is_enabled_again()
    {
        // Arrange
        await using var cloud = await MachineHarness.StartAsync();
        var key = await cloud.CreateSshKeyAsync(Ct);
        var server = await cloud.CreateServerAsync("resetter", Ct);
        var address = await cloud.BootRescueAsync(server, key, Ct);
        var first = await cloud.MachineOfAsync(server.Id);
        (await cloud.SshAsync(address, "touch /dev/shm-marker", Ct)).ExitCode.ShouldBe(0);

        // Act
        var rescue = await cloud.Client.Servers.EnableRescueAsync(server.Id, new EnableRescueRequest { Type = "linux64", SshKeys = [key.Id] }, Ct);
        await cloud.Client.Actions.WaitAsync([rescue.Action], cancellationToken: Ct);
        await cloud.Client.Actions.WaitAsync([await cloud.Client.Servers.ResetAsync(server.Id, Ct)], cancellationToken: Ct);
        var second = await cloud.MachineOfAsync(server.Id);
        var fresh = await cloud.SshAsync(address, "test ! -e /dev/shm-marker && test -b /dev/sda", Ct);

        // Assert
        second.Rescue.Running.ShouldBeTrue();
        second.Rescue.Namespace.ShouldNotBe(first.Rescue.Namespace);
        fresh.ExitCode.ShouldBe(0, fresh.ToString());
        (await HostLeftovers.OfAsync(first.Rescue with { Address = null }, "/nonexistent", Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Deleting_a_server_stops_its_rescue_system_and_removes_its_disk()
    {
        // Arrange
        await using var cloud = await MachineHarness.StartAsync();
        var key = await cloud.CreateSshKeyAsync(Ct);
        var server = await cloud.CreateServerAsync("deleted", Ct);
        await cloud.BootRescueAsync(server, key, Ct);
        var running = await cloud.MachineOfAsync(server.Id);

        // Act
        await cloud.Client.Actions.WaitAsync([await cloud.Client.Servers.DeleteAsync(server.Id, Ct)], cancellationToken: Ct);

        // Assert
        (await HostLeftovers.OfAsync(running.Rescue, running.DiskPath!, Ct)).ShouldBeEmpty();
        File.Exists(running.DiskPath).ShouldBeFalse();
        (await cloud.Client.Servers.GetAsync(server.Id, Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task A_registered_file_is_downloadable_from_inside_the_rescue_system()
    {
        // Arrange
        await using var cloud = await MachineHarness.StartAsync();
        var key = await cloud.CreateSshKeyAsync(Ct);
        var server = await cloud.CreateServerAsync("downloader", Ct);
        var address = await cloud.BootRescueAsync(server, key, Ct);
        var file = cloud.Directory.File("payload.bin");
        var payload = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        await File.WriteAllBytesAsync(file, payload, Ct);

        // Act
        using var registered = await cloud.Cloud.ControlAsync(HttpMethod.Post, "files", $$"""{"path": "{{file}}"}""");
        var url = System.Text.Json.JsonSerializer.Deserialize(await registered.Content.ReadAsStringAsync(Ct), LocalCloudJsonContext.Default.RegisteredFile)!.Url;
        var download = await cloud.SshAsync(address, $"curl -fsS '{url}' | sha256sum", Ct);
        var head = await cloud.SshAsync(address, $"curl -fsSI '{url}'", Ct);
        var range = await cloud.SshAsync(address, $"curl -fsS -r 10-19 '{url}' | od -An -tx1 | tr -d ' \\n'", Ct);

        // Assert
        url.ShouldStartWith("http://198.19.255.254:");
        download.ExitCode.ShouldBe(0, download.ToString());
        download.StdOut.Split(' ')[0].ShouldBe(Convert.ToHexStringLower(SHA256.HashData(payload)));
        head.StdOut.ShouldContain($"Content-Length: {payload.Length}");
        range.StdOut.Trim().ShouldBe(Convert.ToHexStringLower(payload.AsSpan(10, 10)));
    }

    [Fact]
    public async Task A_rescue_start_on_an_address_already_routed_on_the_host_fails_the_action_clearly()
    {
        // Arrange
        await using var cloud = await MachineHarness.StartAsync();
        var key = await cloud.CreateSshKeyAsync(Ct);
        var server = await cloud.CreateServerAsync("collider", Ct);
        var address = server.PublicNet.Ipv4!.Ip;
        var add = await ProcessRunner.RunAsync("ip", ["route", "add", "blackhole", $"{address}/32"], "/", new Dictionary<string, string?>(), Ct);
        add.ExitCode.ShouldBe(0, add.ToString());
        try
        {
            // Act
            var error = await Should.ThrowAsync<Hcloud.ActionFailedException>(() => cloud.BootRescueAsync(server, key, Ct));
            var after = await cloud.Client.Servers.GetAsync(server.Id, Ct);

            // Assert
            error.Action.Error!.Code.ShouldBe("action_failed");
            error.Action.Error.Message.ShouldContain($"address {address} is already in use");
            after!.Status.ShouldBe(ServerStatus.Off);
            (await cloud.MachineOfAsync(server.Id)).Rescue.Running.ShouldBeFalse();
        }
        finally
        {
            await ProcessRunner.RunAsync("ip", ["route", "del", "blackhole", $"{address}/32"], "/", new Dictionary<string, string?>(), CancellationToken.None);
        }
    }

    private static async Task<long> AllocatedBytesAsync(string path)
    {
        var stat = await ProcessRunner.RunAsync("stat", ["-c", "%b %B", path], "/", new Dictionary<string, string?>(), Ct);
        var parts = stat.StdOut.Trim().Split(' ');
        return long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) * long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string ReadAt(string path, long offset, int length)
    {
        using var handle = File.OpenHandle(path);
        var buffer = new byte[length];
        RandomAccess.Read(handle, buffer, offset);
        return Encoding.ASCII.GetString(buffer);
    }

    private static async Task<string> ReadRangeAsync(MachineHarness cloud, string path, long offset, int length)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", cloud.Cloud.Options.Token);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(cloud.Cloud.Endpoint, "/__localcloud/" + path));
        request.Headers.Range = new RangeHeaderValue(offset, offset + length - 1);
        using var response = await http.SendAsync(request, Ct);
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.PartialContent);
        return Encoding.ASCII.GetString(await response.Content.ReadAsByteArrayAsync(Ct));
    }
}
