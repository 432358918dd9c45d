using System.Diagnostics;
using System.Text.Json;
using Drover.LocalCloud;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Cli.Tests;

/// <summary>
/// The local cloud recovers without the user's hands: after it was SIGKILLed with a rescue system and a QEMU boot
/// running, and after a simulated host reboot (its processes killed, loop devices detached, namespaces, routes, runtime
/// and temporary directories gone, the state directory kept), 'drover local up' comes up with machines and nothing
/// left over, and 'drover demo' passes. Machine tests: root, QEMU, namespaces and the Debian mirror; skipped with the
/// reason elsewhere.
/// </summary>
[MachineTier]
[Collection(DemoCollection.Name)]
public sealed class RecoveryTests : IAsyncDisposable
{
    private readonly CliRunner _cli = new();

    private string StateDirectory => Path.Combine(_cli.Home, ".local", "share", "drover", "local", "state");

    public RecoveryTests() => _cli.ShareRootfsCache();

    public ValueTask DisposeAsync() => _cli.DisposeAsync();

    [Fact]
    public async Task After_the_local_cloud_is_killed_mid_rescue_and_mid_boot_local_up_sweeps_it_and_the_demo_passes()
    {
        // Arrange
        await SkipUnlessDemoCanRunAsync();
        var (pid, rescue, qemu) = await MachinesRunningAsync();
        await MachineCloud.KillAsync(pid);
        MachineCloud.Leftovers(rescue.Rescue.Namespace, rescue.Rescue.HostVeth, rescue.Rescue.Pid, rescue.DiskPath).ShouldNotBeEmpty("a SIGKILLed local cloud cannot stop its rescue system");
        MachineCloud.Leftovers(qemu.Qemu!.Namespace, qemu.Qemu.HostVeth, qemu.Qemu.Pid, null).ShouldNotBeEmpty("nor its QEMU");

        // Act
        var up = await _cli.RunAsync("local", "up");

        // Assert
        up.ExitCode.ShouldBe(0, up.ToString());
        await ShouldRunMachinesWithNothingLeftOverAsync();
        MachineCloud.Leftovers(rescue.Rescue.Namespace, rescue.Rescue.HostVeth, rescue.Rescue.Pid, rescue.DiskPath).ShouldBeEmpty();
        MachineCloud.Leftovers(qemu.Qemu.Namespace, qemu.Qemu.HostVeth, qemu.Qemu.Pid, null).ShouldBeEmpty();
        await DemoShouldPassAsync();
    }

    [Fact]
    public async Task After_a_simulated_host_reboot_the_demo_passes()
    {
        // Arrange
        await SkipUnlessDemoCanRunAsync();
        var (pid, rescue, qemu) = await MachinesRunningAsync();

        // Act: what a reboot does to the host, by hand: processes, loop devices, namespaces (their veths and routes go
        // with them), the address-block route, the runtime directories and the temporary directory; the state stays.
        var namespaces = new[] { rescue.Rescue.Namespace!, qemu.Qemu!.Namespace! };
        var pids = new List<int> { pid };
        foreach (var ns in namespaces)
        {
            pids.AddRange((await RunAsync("ip", "netns", "pids", ns)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse));
        }
        foreach (var p in pids.Where(MachineCloud.IsRunning))
        {
            await MachineCloud.KillAsync(p);
        }
        foreach (var loop in (await RunAsync("losetup", "--list", "--noheadings", "--output", "NAME,BACK-FILE")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', 2, StringSplitOptions.TrimEntries)).Where(l => l.Length == 2 && l[1].StartsWith(StateDirectory, StringComparison.Ordinal)))
        {
            await RunAsync("losetup", "-d", loop[0]);
        }
        foreach (var ns in namespaces)
        {
            await RunAsync("ip", "netns", "del", ns);
        }
        var block = string.Join('.', rescue.Rescue.Address!.Split('.')[..3]) + ".0/24";
        foreach (var route in (await RunAsync("ip", "-4", "route", "show", "type", "unreachable", "exact", block)).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await RunAsync("ip", ["route", "del", .. route.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);
        }
        foreach (var runtime in new[] { "rescue", "qemu" }.Select(d => Path.Combine(StateDirectory, "machines", d)).Where(Directory.Exists))
        {
            Directory.Delete(runtime, recursive: true);
        }
        Directory.Delete(_cli.Environment["TMPDIR"]!, recursive: true);
        File.Exists(Path.Combine(StateDirectory, "state.json")).ShouldBeTrue("the state directory survives a reboot");

        // Assert
        await DemoShouldPassAsync();
        await ShouldRunMachinesWithNothingLeftOverAsync();
    }

    /// <summary>'drover local up' with a rescue system and a QEMU guest running; returns the cloud's PID and both machines.</summary>
    private async Task<(int Pid, ControlServerMachine Rescue, ControlServerMachine Qemu)> MachinesRunningAsync()
    {
        (await MachineCloud.UpAsync(_cli)).ShouldBeNull();
        using var status = await MachineCloud.StatusAsync(_cli);
        var pid = status.RootElement.GetProperty("pid").GetInt32();
        var rescue = await MachineCloud.RescueRunningAsync(_cli, "before-rescue", Ct);
        var qemu = await MachineCloud.QemuSpinningAsync(_cli, "before-boot", Ct);
        return (pid, rescue, qemu);
    }

    private async Task ShouldRunMachinesWithNothingLeftOverAsync()
    {
        using var status = await MachineCloud.StatusAsync(_cli);
        var machine = status.RootElement.GetProperty("machine");
        machine.GetProperty("mode").GetString().ShouldBe("machines", machine.ToString());
        var leftovers = machine.TryGetProperty("leftovers", out var l) && l.ValueKind == JsonValueKind.Array ? l.GetArrayLength() : 0;
        leftovers.ShouldBe(0, $"nothing should be left over: {machine}");
    }

    private async Task DemoShouldPassAsync()
    {
        var demo = await _cli.RunAsync("demo", "--work-dir", Path.Combine(_cli.Home, "demo"));
        demo.ExitCode.ShouldBe(0, demo.ToString());
        foreach (var host in new[] { "demo-1", "demo-2" })
        {
            demo.Stdout.Split('\n').Single(l => l.StartsWith(host + " ", StringComparison.Ordinal)).ShouldContain(" ok ");
        }
    }

    private async Task SkipUnlessDemoCanRunAsync()
    {
        if (await MachineCloud.UpAsync(_cli) is { } reason)
        {
            Assert.Skip(reason);
        }
        if (MachineCloud.BootsUnavailable() is { } boots)
        {
            Assert.Skip(boots);
        }
        if (!File.Exists("/usr/bin/mmdebstrap"))
        {
            Assert.Skip("/usr/bin/mmdebstrap is missing (bash scripts/setup installs it)");
        }
    }

    private static async Task<string> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var stdout = await process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = await process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return process.ExitCode == 0 ? stdout : throw new InvalidOperationException($"{file} {string.Join(' ', args)}: exit {process.ExitCode}: {stderr}");
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}
