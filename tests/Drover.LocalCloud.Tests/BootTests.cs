using System.Net.Http.Headers;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Tests.Support;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.LocalCloud.Tests;

/// <summary>
/// Real boots: a server created from a snapshot whose disk holds data runs under QEMU (TCG) in its own network
/// namespace. The disk is <see cref="BootDisk"/>'s boot sector, seeded through <c>POST /__localcloud/images/{id}/disk</c>.
/// Skipped, with the reason, where the machine cannot run QEMU boots (not root, no QEMU, no <c>ip netns</c>).
/// </summary>
[MachineTier]
public sealed class BootTests
{
    private static readonly TimeSpan _bootDeadline = TimeSpan.FromSeconds(120);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_server_from_a_snapshot_with_a_bootable_disk_boots_under_qemu_and_poweroff_removes_it()
    {
        // Arrange
        await using var cloud = await StartAsync();
        var marker = $"DROVER-BOOT-{Guid.NewGuid():N}"[..24];
        var image = await SeedBootableSnapshotAsync(cloud, BootDisk.BootSector($"console {marker}", $"marker {marker}", powerOff: false));

        // Act
        var server = await CreateServerAsync(cloud, "booted", image);
        var console = await WaitForConsoleAsync(cloud, server.Id, marker);
        var markers = await ConsoleAsync(cloud, server.Id, markers: true);
        var running = await cloud.MachineOfAsync(server.Id);
        var qemu = running.Qemu.ShouldNotBeNull("a server whose disk holds data runs under QEMU");
        var qemuRan = HostLeftovers.IsRunning(qemu.Pid!.Value, "qemu-system-x86_64");
        var ssh = await InNamespaceAsync(qemu.Namespace!, ["nc", "-z", "-w", "5", qemu.Address!, "22"]);
        var metadata = await GuestMetadataAsync(qemu, "instance-id");
        var status = (await cloud.Client.Servers.GetAsync(server.Id, Ct))!.Status;
        await cloud.Client.Actions.WaitAsync([await cloud.Client.Servers.PowerOffAsync(server.Id, Ct)], cancellationToken: Ct);
        var stopped = await cloud.MachineOfAsync(server.Id);
        var after = await cloud.Client.Servers.GetAsync(server.Id, Ct);

        // Assert
        console.ShouldContain($"console {marker}");
        markers.ShouldContain($"marker {marker}");
        markers.ShouldNotContain("console");
        status.ShouldBe(ServerStatus.Running);
        running.Rescue.Running.ShouldBeFalse();
        qemuRan.ShouldBeTrue();
        ssh.ExitCode.ShouldBe(0, $"QEMU's hostfwd listens on the server's IPv4:22 inside its namespace: {ssh}");
        metadata.ShouldBe(server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "guestfwd's nc reaches the server's metadata listener from its namespace");
        stopped.Qemu.ShouldBeNull();
        stopped.LastQemu.ShouldNotBeNull().Pid.ShouldBe(qemu.Pid, "the stopped boot is still described");
        after!.Status.ShouldBe(ServerStatus.Off);
        (await LeftoversAsync(qemu)).ShouldBeEmpty();
        (await ConsoleAsync(cloud, server.Id, markers: false)).ShouldContain(marker, customMessage: "the console log outlives the boot");
    }

    [Fact]
    public async Task Reset_keeps_qemu_shutdown_ends_it_after_the_acpi_timeout_and_delete_removes_everything()
    {
        // Arrange
        await using var cloud = await StartAsync();
        var marker = $"DROVER-RESET-{Guid.NewGuid():N}"[..24];
        var image = await SeedBootableSnapshotAsync(cloud, BootDisk.BootSector($"console {marker}", $"marker {marker}", powerOff: false));
        var server = await CreateServerAsync(cloud, "resetting", image);
        await WaitForConsoleAsync(cloud, server.Id, marker);
        var first = (await cloud.MachineOfAsync(server.Id)).Qemu!;

        // Act
        await cloud.Client.Actions.WaitAsync([await cloud.Client.Servers.ResetAsync(server.Id, Ct)], cancellationToken: Ct);
        var afterReset = (await cloud.MachineOfAsync(server.Id)).Qemu;
        var rebooted = await WaitForConsoleAsync(cloud, server.Id, marker, times: 2);
        await cloud.Client.Actions.WaitAsync([await cloud.Client.Servers.ShutdownAsync(server.Id, Ct)], cancellationToken: Ct);
        var afterShutdown = await cloud.Client.Servers.GetAsync(server.Id, Ct);
        var firstGone = await LeftoversAsync(first);
        await cloud.Client.Actions.WaitAsync([await cloud.Client.Servers.PowerOnAsync(server.Id, Ct)], cancellationToken: Ct);
        var second = (await cloud.MachineOfAsync(server.Id)).Qemu!;
        var disk = (await cloud.MachineOfAsync(server.Id)).DiskPath!;
        await cloud.Client.Actions.WaitAsync([await cloud.Client.Servers.DeleteAsync(server.Id, Ct)], cancellationToken: Ct);

        // Assert
        afterReset.ShouldNotBeNull().Pid.ShouldBe(first.Pid, "reset is QMP system_reset: the same QEMU");
        rebooted.ShouldContain(marker);
        afterShutdown!.Status.ShouldBe(ServerStatus.Off, "the guest ignores the ACPI button, so QEMU is stopped after the timeout");
        firstGone.ShouldBeEmpty();
        second.Pid.ShouldNotBe(first.Pid);
        (await LeftoversAsync(second)).ShouldBeEmpty();
        File.Exists(disk).ShouldBeFalse();
        (await cloud.Client.Servers.GetAsync(server.Id, Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task Qmp_reaches_qemu_in_a_state_directory_deeper_than_a_unix_socket_path_may_be()
    {
        // Arrange: a machine directory far past the 108 bytes of a Unix socket path (a deep HOME, say).
        using var state = new TempDirectory();
        var deep = Path.Combine(state.Path, new string('d', 60), new string('e', 60), "state");
        (deep.Length + "/machines/qemu/drover-xxxxxx-1-s100000/qmp.sock".Length).ShouldBeGreaterThan(108);
        await using var cloud = await StartAsync(deep);
        var marker = $"DROVER-DEEP-{Guid.NewGuid():N}"[..24];
        var image = await SeedBootableSnapshotAsync(cloud, BootDisk.BootSector($"console {marker}", $"marker {marker}", powerOff: false));
        var server = await CreateServerAsync(cloud, "deep", image);
        await WaitForConsoleAsync(cloud, server.Id, marker);
        var qemu = (await cloud.MachineOfAsync(server.Id)).Qemu!;
        var socket = Path.Combine(deep, "machines", "qemu", qemu.Namespace!, "qmp.sock");
        File.Exists(socket).ShouldBeTrue("the QMP socket is in the machine's own directory, nowhere else on the host");

        // Act: reset is QMP system_reset, shutdown QMP system_powerdown.
        await cloud.Client.Actions.WaitAsync([await cloud.Client.Servers.ResetAsync(server.Id, Ct)], cancellationToken: Ct);
        var rebooted = await WaitForConsoleAsync(cloud, server.Id, marker, times: 2);
        await cloud.Client.Actions.WaitAsync([await cloud.Client.Servers.ShutdownAsync(server.Id, Ct)], cancellationToken: Ct);

        // Assert
        rebooted.ShouldContain(marker);
        (await cloud.MachineOfAsync(server.Id)).LastQemu!.Pid.ShouldBe(qemu.Pid, "the reset went to the running QEMU over QMP");
        (await cloud.Client.Servers.GetAsync(server.Id, Ct))!.Status.ShouldBe(ServerStatus.Off);
        (await LeftoversAsync(qemu)).ShouldBeEmpty();
        File.Exists(socket).ShouldBeFalse("the socket goes with the machine's directory");
    }

    [Fact]
    public async Task A_guest_that_powers_itself_off_turns_the_server_off()
    {
        // Arrange
        await using var cloud = await StartAsync();
        var marker = $"DROVER-OFF-{Guid.NewGuid():N}"[..24];
        var image = await SeedBootableSnapshotAsync(cloud, BootDisk.BootSector($"console {marker}", $"marker {marker}", powerOff: true));

        // Act
        var server = await CreateServerAsync(cloud, "self-off", image);
        var status = await WaitForStatusAsync(cloud, server.Id, ServerStatus.Off);
        var machine = await cloud.MachineOfAsync(server.Id);

        // Assert
        status.ShouldBe(ServerStatus.Off, $"the guest powers itself off right after its marker; markers: '{await ConsoleAsync(cloud, server.Id, markers: true)}', "
            + $"console: '{await ConsoleAsync(cloud, server.Id, markers: false)}', qemu: {machine.Qemu?.Pid}, last qemu: {machine.LastQemu?.Pid}");
        (await ConsoleAsync(cloud, server.Id, markers: true)).ShouldContain(marker);
        machine.Qemu.ShouldBeNull();
        var last = machine.LastQemu.ShouldNotBeNull("the boot that powered itself off is still described");
        last.Pid.ShouldNotBeNull();
        (await LeftoversAsync(last)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_guest_that_powers_itself_off_before_its_start_action_completes_is_off_once_it_completes()
    {
        // Arrange: actions take 8 s, the guest is off within about one (a fast guest, a slow host).
        MachineHarness.SkipUnlessMachines();
        if (MachineSupportProbe.Probe() is { Boot: MachineSupportProbe.NoBoot } support)
        {
            Assert.Skip($"QEMU boots cannot run here: {support.BootReason}");
        }
        await using var cloud = await MachineHarness.StartAsync(null, options => options with { ShutdownTimeout = TimeSpan.FromSeconds(2), ActionDuration = TimeSpan.FromSeconds(8) });
        var marker = $"DROVER-EARLY-{Guid.NewGuid():N}"[..24];
        var image = await SeedBootableSnapshotAsync(cloud, BootDisk.BootSector($"console {marker}", $"marker {marker}", powerOff: true));

        // Act
        var server = await CreateServerAsync(cloud, "early-off", image);
        var status = await WaitForStatusAsync(cloud, server.Id, ServerStatus.Off);

        // Assert
        status.ShouldBe(ServerStatus.Off, "the guest's power-off during the start action must not be lost when the action completes");
        (await ConsoleAsync(cloud, server.Id, markers: true)).ShouldContain(marker);
        (await cloud.MachineOfAsync(server.Id)).Qemu.ShouldBeNull();
    }

    [Fact]
    public async Task A_server_from_a_system_image_stays_api_only()
    {
        // Arrange
        await using var cloud = await StartAsync();

        // Act
        var server = await CreateServerAsync(cloud, "api-only", "ubuntu-24.04");
        var machine = await cloud.MachineOfAsync(server.Id);

        // Assert
        (await cloud.Client.Servers.GetAsync(server.Id, Ct))!.Status.ShouldBe(ServerStatus.Running);
        machine.Qemu.ShouldBeNull("an empty disk does not boot");
        (await ConsoleAsync(cloud, server.Id, markers: false)).ShouldBeEmpty();
    }

    internal static async Task<MachineHarness> StartAsync(string? stateDirectory = null)
    {
        MachineHarness.SkipUnlessMachines();
        var support = MachineSupportProbe.Probe();
        if (support.Boot == MachineSupportProbe.NoBoot)
        {
            Assert.Skip($"QEMU boots cannot run here: {support.BootReason}");
        }
        return await MachineHarness.StartAsync(stateDirectory, options => options with { ShutdownTimeout = TimeSpan.FromSeconds(2) });
    }

    internal static async Task<long> SeedBootableSnapshotAsync(MachineHarness cloud, byte[] disk, string architecture = "x86")
    {
        var label = Guid.NewGuid().ToString("N");
        using var seeded = await cloud.Cloud.ControlAsync(HttpMethod.Post, "seed/snapshots", $$"""{"count": 1, "description_prefix": "boot-test", "architecture": "{{architecture}}", "labels": {"boot-test": "{{label}}"} }""");
        var image = await cloud.Client.Images.ListAsync(new ImageListOptions { LabelSelector = Hcloud.Labels.LabelSelector.Parse($"boot-test={label}") }, Ct).SingleAsync(Ct);
        using var http = cloud.Cloud.CreateHttpClient();
        using var content = new ByteArrayContent(disk);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var upload = await http.PostAsync(new Uri(cloud.Cloud.Endpoint, $"/__localcloud/images/{image.Id}/disk"), content, Ct);
        upload.StatusCode.ShouldBe(System.Net.HttpStatusCode.Created, await upload.Content.ReadAsStringAsync(Ct));
        return image.Id;
    }

    /// <summary>Creates a started server and waits for its actions: start_server succeeds once QEMU runs.</summary>
    internal static async Task<Server> CreateServerAsync(MachineHarness cloud, string name, IdOrName image, string type = "cx23", Dictionary<string, string>? labels = null)
    {
        var key = await cloud.CreateSshKeyAsync(Ct);
        var created = await cloud.Client.Servers.CreateAsync(new CreateServerRequest
        {
            Name = name,
            ServerType = type,
            Image = image,
            Location = "fsn1",
            SshKeys = [key.Id],
            Labels = labels,
        }, Ct);
        await cloud.Client.Actions.WaitAsync([created.Action, .. created.NextActions], cancellationToken: Ct);
        return created.Server;
    }

    internal static async Task<string> ConsoleAsync(MachineHarness cloud, long serverId, bool markers)
        => await MachineHarness.ControlGetAsync(cloud.Cloud.Endpoint, cloud.Cloud.Options.Token, $"servers/{serverId}/console{(markers ? "?markers=true" : "")}");

    /// <summary>Polls the console until <paramref name="text"/> appeared <paramref name="times"/> times (a deadline, not a timing assertion).</summary>
    internal static async Task<string> WaitForConsoleAsync(MachineHarness cloud, long serverId, string text, int times = 1)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var console = await ConsoleAsync(cloud, serverId, markers: false);
            if (console.Split(text).Length - 1 >= times)
            {
                return console;
            }
            if (TimeProvider.System.GetElapsedTime(started) > _bootDeadline)
            {
                throw new TimeoutException($"'{text}' did not appear {times}x on the console within {_bootDeadline.TotalSeconds:0} s; console so far:\n{console}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250), TimeProvider.System, Ct);
        }
    }

    internal static async Task<ServerStatus> WaitForStatusAsync(MachineHarness cloud, long serverId, ServerStatus wanted)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var status = (await cloud.Client.Servers.GetAsync(serverId, Ct))!.Status;
            if (status == wanted || TimeProvider.System.GetElapsedTime(started) > _bootDeadline)
            {
                return status;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250), TimeProvider.System, Ct);
        }
    }

    private static Task<ProcessResult> InNamespaceAsync(string ns, IEnumerable<string> command)
        => ProcessRunner.RunAsync("ip", ["netns", "exec", ns, .. command], "/", new Dictionary<string, string?>(), Ct);

    /// <summary>Fetches a metadata path the way QEMU's guestfwd does: nc from inside the namespace to the port on QEMU's command line.</summary>
    private static async Task<string> GuestMetadataAsync(ControlQemu qemu, string path)
    {
        var arguments = (await File.ReadAllTextAsync($"/proc/{qemu.Pid}/cmdline", Ct)).Split('\0');
        var netdev = arguments.Single(a => a.Contains("guestfwd=", StringComparison.Ordinal));
        var forward = netdev.Split(',').Single(p => p.StartsWith("guestfwd=", StringComparison.Ordinal)).Split(' ');
        var (host, port) = (forward[^2], forward[^1]);
        var fetch = await InNamespaceAsync(qemu.Namespace!, ["curl", "-fsS", "--max-time", "10", $"http://{host}:{port}/hetzner/v1/metadata/{path}"]);
        fetch.ExitCode.ShouldBe(0, fetch.ToString());
        return fetch.StdOut.Trim();
    }

    /// <summary>What of a QEMU boot is still on the host: its process, namespace, veth, address route.</summary>
    internal static async Task<IReadOnlyList<string>> LeftoversAsync(ControlQemu qemu, string emulator = "qemu-system-x86_64")
    {
        var found = (await HostLeftovers.OfAsync(new ControlRescue { Namespace = qemu.Namespace, HostVeth = qemu.HostVeth, Address = qemu.Address }, "/nonexistent", Ct)).ToList();
        if (qemu.Pid is { } pid && HostLeftovers.IsRunning(pid, emulator))
        {
            found.Add($"qemu pid {pid}");
        }
        return found;
    }
}
