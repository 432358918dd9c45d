using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Machines;
using Drover.LocalCloud.Tests.Support;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.LocalCloud.Tests;

/// <summary>
/// Nothing of a rescue system outlives its local cloud: not after a graceful stop, and not after a crash (SIGKILL), once
/// the next start or a sweep of the state directory ran. Every check names the resources this test's cloud created.
/// </summary>
[MachineTier]
public sealed class MachineLeakTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stopping_the_local_cloud_stops_every_rescue_system_and_removes_its_address_block_route()
    {
        // Arrange
        var cloud = await MachineHarness.StartAsync();
        ControlServerMachine machine;
        string address;
        try
        {
            var key = await cloud.CreateSshKeyAsync(Ct);
            var server = await cloud.CreateServerAsync("leak-graceful", Ct);
            address = await cloud.BootRescueAsync(server, key, Ct);
            machine = await cloud.MachineOfAsync(server.Id);
            (await HostLeftovers.OfAsync(machine.Rescue, machine.DiskPath!, Ct)).ShouldNotBeEmpty();
        }
        finally
        {
            // Act
            await cloud.DisposeAsync();
        }

        // Assert
        (await HostLeftovers.OfAsync(machine.Rescue, machine.DiskPath!, Ct)).ShouldBeEmpty();
        (await BlockRouteAsync(address)).ShouldBeEmpty();
        File.Exists(machine.DiskPath).ShouldBeFalse("an in-memory cloud's machine directory is temporary");
    }

    [Fact]
    public async Task A_killed_local_cloud_leaves_a_rescue_system_that_the_next_start_on_its_state_directory_sweeps()
    {
        // Arrange
        MachineHarness.SkipUnlessMachines();
        using var state = new TempDirectory();
        var (serverId, machine, address) = await CrashWithRescueRunningAsync(state);

        // Act
        await using (var next = await TestLocalCloud.StartOnLoopbackAsync(TestLocalCloud.DefaultOptions() with { StateDirectory = state.Path, Machines = MachineMode.Auto }))
        {
            var client = MachineHarness.CreateClient(next.Endpoint, next.Options.Token);
            var server = await client.Servers.GetAsync(serverId, Ct);

            // Assert
            (await HostLeftovers.OfAsync(machine.Rescue, machine.DiskPath!, Ct)).ShouldBeEmpty();
            server!.Status.ShouldBe(ServerStatus.Off, "no rescue system survives a restart");
            File.Exists(machine.DiskPath).ShouldBeTrue("the disk is state and survives");
        }
        (await BlockRouteAsync(address)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_killed_local_cloud_leaves_a_rescue_system_that_a_sweep_of_its_state_directory_removes()
    {
        // Arrange
        MachineHarness.SkipUnlessMachines();
        using var state = new TempDirectory();
        var (_, machine, address) = await CrashWithRescueRunningAsync(state);

        // Act (what 'drover local down' does when the process is already gone)
        var swept = await MachineSweeper.SweepStateDirectoryAsync(state.Path, Ct);

        // Assert
        swept.Removed.ShouldBe(1);
        swept.Problems.ShouldBeEmpty();
        (await HostLeftovers.OfAsync(machine.Rescue, machine.DiskPath!, Ct)).ShouldBeEmpty();
        (await BlockRouteAsync(address)).ShouldBeEmpty();
        var again = await MachineSweeper.SweepStateDirectoryAsync(state.Path, Ct);
        again.Removed.ShouldBe(0, "a second sweep finds nothing");
        again.Problems.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_killed_local_cloud_whose_registry_was_lost_is_swept_by_its_names()
    {
        // Arrange: the record of what is on the host is gone (a state directory emptied by hand).
        MachineHarness.SkipUnlessMachines();
        using var state = new TempDirectory();
        var (_, machine, address) = await CrashWithRescueRunningAsync(state);
        File.Delete(Path.Combine(state.Path, "machines", "registry.json"));

        // Act
        var swept = await MachineSweeper.SweepStateDirectoryAsync(state.Path, Ct);

        // Assert: namespace, veth, sshd, loop device and the address-block route, all found by name.
        swept.Problems.ShouldBeEmpty();
        swept.Removed.ShouldBe(1);
        (await HostLeftovers.OfAsync(machine.Rescue, machine.DiskPath!, Ct)).ShouldBeEmpty();
        (await BlockRouteAsync(address)).ShouldBeEmpty();
    }

    /// <summary>
    /// Runs the local cloud as its own process on <paramref name="state"/>, boots a rescue system, SIGKILLs the process
    /// (by the PID it started) and checks that the rescue system is still there.
    /// </summary>
    private static async Task<(long ServerId, ControlServerMachine Machine, string Address)> CrashWithRescueRunningAsync(TempDirectory state)
    {
        await using var process = await LocalCloudProcess.StartAsync(state.Path, "auto");
        var client = MachineHarness.CreateClient(process.Endpoint, process.Token);
        var key = await MachineHarness.CreateSshKeyAsync(client, state, Ct);
        var server = await MachineHarness.CreateServerAsync(client, "leak-crash", Ct);
        var address = await MachineHarness.BootRescueAsync(client, server, key, Ct);
        var machine = await MachineHarness.MachineOfAsync(process.Endpoint, process.Token, server.Id);

        await process.KillAsync();

        HostLeftovers.IsRunning(machine.Rescue.Pid!.Value, machine.Rescue.Namespace!).ShouldBeTrue("sshd outlives a SIGKILLed local cloud");
        (await HostLeftovers.OfAsync(machine.Rescue, machine.DiskPath!, Ct)).ShouldNotBeEmpty();
        return (server.Id, machine, address);
    }

    /// <summary>The host route of the /24 that holds <paramref name="address"/>, if any.</summary>
    private static async Task<string> BlockRouteAsync(string address)
    {
        var block = string.Join('.', address.Split('.')[..3]) + ".0/24";
        return (await ProcessRunner.RunAsync("ip", ["-4", "route", "show", "exact", block], "/", new Dictionary<string, string?>(), Ct)).StdOut.Trim();
    }
}
