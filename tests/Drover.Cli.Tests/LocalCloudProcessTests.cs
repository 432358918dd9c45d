using System.Diagnostics;
using System.Text.Json;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.LocalCloud;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Cli.Tests;

/// <summary>'drover local up/down/status/reset' with a real background process, stopped by its own PID.</summary>
public sealed class LocalCloudProcessTests : IAsyncDisposable
{
    private readonly CliRunner _cli = new();

    public ValueTask DisposeAsync() => _cli.DisposeAsync();

    [Fact]
    public async Task Up_is_idempotent_status_shows_endpoint_and_token_and_down_stops_the_process()
    {
        var up = await _cli.RunAsync("local", "up", "-o", "json");
        var again = await _cli.RunAsync("local", "up", "-o", "json");
        var status = await _cli.RunAsync("local", "status", "-o", "json");

        up.ExitCode.ShouldBe(0, up.ToString());
        using var first = JsonDocument.Parse(up.Stdout);
        using var second = JsonDocument.Parse(again.Stdout);
        using var current = JsonDocument.Parse(status.Stdout);
        var pid = first.RootElement.GetProperty("pid").GetInt32();
        second.RootElement.GetProperty("pid").GetInt32().ShouldBe(pid);
        current.RootElement.GetProperty("running").GetBoolean().ShouldBeTrue();
        current.RootElement.GetProperty("endpoint").GetString().ShouldStartWith("http://127.0.0.1:");
        current.RootElement.GetProperty("token").GetString()!.Length.ShouldBe(64);
        current.RootElement.GetProperty("machine").GetProperty("mode").GetString().ShouldNotBeNullOrEmpty();
        MachineCloud.IsRunning(pid).ShouldBeTrue();
        var upText = await _cli.RunAsync("local", "up");
        upText.Stdout.ShouldContain("Token:     (hidden; 'drover local status -o json' shows it)", Case.Sensitive, "'local up' says where the token is, as 'local status' does");
        up.Stdout.ShouldNotContain(current.RootElement.GetProperty("token").GetString()!, customMessage: "'local up -o json' does not print the token");
        var text = await _cli.RunAsync("local", "status");
        text.Stdout.ShouldContain($"Boots:     {current.RootElement.GetProperty("machine").GetProperty("boot").GetString()}");
        text.Stdout.ShouldNotContain(current.RootElement.GetProperty("token").GetString()!, customMessage: "the text view never prints the token");

        var proxmox = current.RootElement.GetProperty("proxmox");
        proxmox.GetProperty("endpoint").GetString()!.ShouldMatch(@"^https://127\.0\.0\.1:\d+/api2/json$");
        proxmox.GetProperty("token_id").GetString().ShouldBe("root@pam!drover");
        var secret = proxmox.GetProperty("token_secret").GetString()!;
        secret.ShouldMatch("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
        proxmox.GetProperty("fingerprint").GetString()!.ShouldMatch("^([0-9A-F]{2}:){31}[0-9A-F]{2}$");
        up.Stdout.ShouldNotContain(secret, customMessage: "'local up -o json' does not print the Proxmox token secret");
        text.Stdout.ShouldContain($"Proxmox:   {proxmox.GetProperty("endpoint").GetString()} (node drover)");
        text.Stdout.ShouldContain($"  fingerprint: {proxmox.GetProperty("fingerprint").GetString()}");
        text.Stdout.ShouldNotContain(secret, customMessage: "the text view never prints the Proxmox token secret");

        var exports = await _cli.RunAsync("local", "env");
        exports.Stdout.Trim().ShouldBe($"export HCLOUD_ENDPOINT={current.RootElement.GetProperty("endpoint").GetString()} HCLOUD_TOKEN={current.RootElement.GetProperty("token").GetString()}");

        var down = await _cli.RunAsync("local", "down");

        down.ExitCode.ShouldBe(0, down.ToString());
        MachineCloud.IsRunning(pid).ShouldBeFalse("the local cloud process must be gone after 'local down'");
        using var after = JsonDocument.Parse((await _cli.RunAsync("local", "status", "-o", "json")).Stdout);
        after.RootElement.GetProperty("running").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task Commands_start_the_local_cloud_on_demand_and_state_survives_a_restart()
    {
        var images = await _cli.RunAsync("image", "list", "-o", "json");
        await CreateServerAsync("demo-1");
        await _cli.RunAsync("local", "down");
        var servers = await _cli.RunAsync("server", "list", "-o", "json");

        images.ExitCode.ShouldBe(0, images.ToString());
        JsonSerializer.Deserialize(images.Stdout, HcloudJsonContext.Default.IReadOnlyListImage)!.ShouldContain(i => i.Name == "ubuntu-24.04");
        servers.ExitCode.ShouldBe(0, servers.ToString());
        JsonSerializer.Deserialize(servers.Stdout, HcloudJsonContext.Default.IReadOnlyListServer)!.ShouldContain(s => s.Name.StartsWith("demo-", StringComparison.Ordinal));
    }

    /// <summary>Creates a server through the API of the running local cloud (endpoint and token from 'local status').</summary>
    private async Task CreateServerAsync(string name)
    {
        var up = await _cli.RunAsync("local", "up");
        up.ExitCode.ShouldBe(0, up.ToString());
        // 'local status -o json' shows the token (so other clients can use the local cloud); 'local up' does not.
        using var status = JsonDocument.Parse((await _cli.RunAsync("local", "status", "-o", "json")).Stdout);
        var client = HcloudClient.Create(new HcloudClientOptions
        {
            Endpoint = new Uri(status.RootElement.GetProperty("endpoint").GetString()!),
            Token = status.RootElement.GetProperty("token").GetString()!,
        });
        var created = await client.Servers.CreateAsync(new CreateServerRequest { Name = name, ServerType = "cx23", Image = "ubuntu-24.04", Location = "fsn1" }, TestContext.Current.CancellationToken);
        await client.Actions.WaitAsync([created.Action, .. created.NextActions], null, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Reset_forgets_all_resources()
    {
        await CreateServerAsync("demo-1");

        var reset = await _cli.RunAsync("local", "reset");
        var servers = await _cli.RunAsync("server", "list", "-o", "json");

        reset.ExitCode.ShouldBe(0, reset.ToString());
        servers.Stdout.Trim().ShouldBe("[]");
    }

    [Fact]
    [MachineTier]
    public async Task Down_stops_the_rescue_systems_gracefully()
    {
        // Arrange
        var (pid, machine) = await UpWithRescueRunningAsync();
        RescueLeftovers(machine).ShouldNotBeEmpty();

        // Act
        var down = await _cli.RunAsync("local", "down");

        // Assert
        down.ExitCode.ShouldBe(0, down.ToString());
        MachineCloud.IsRunning(pid).ShouldBeFalse();
        down.Stderr.ShouldNotContain("removed", Case.Insensitive, "the server stopped its rescue systems itself; nothing was left to sweep");
        RescueLeftovers(machine).ShouldBeEmpty();
    }

    [Fact]
    [MachineTier]
    public async Task Down_after_the_local_cloud_was_killed_removes_the_rescue_system_it_left()
    {
        // Arrange
        var (pid, machine) = await UpWithRescueRunningAsync();
        await MachineCloud.KillAsync(pid);
        RescueLeftovers(machine).ShouldNotBeEmpty("a SIGKILLed local cloud cannot stop its rescue system");

        // Act
        var down = await _cli.RunAsync("local", "down");

        // Assert
        down.ExitCode.ShouldBe(0, down.ToString());
        down.Stderr.ShouldContain("removed 1 machine(s)");
        RescueLeftovers(machine).ShouldBeEmpty();
    }

    [Fact]
    [MachineTier]
    public async Task Down_after_the_local_cloud_was_killed_during_a_qemu_boot_removes_qemu_and_its_namespace()
    {
        // Arrange
        if (MachineCloud.BootsUnavailable() is { } reason)
        {
            Assert.Skip(reason);
        }
        (await MachineCloud.UpAsync(_cli)).ShouldBeNull();
        var pid = await PidAsync();
        var qemu = (await MachineCloud.QemuSpinningAsync(_cli, "spinning", Ct)).Qemu!;
        await MachineCloud.KillAsync(pid);
        QemuLeftovers(qemu).ShouldNotBeEmpty("a SIGKILLed local cloud cannot stop its QEMU");

        // Act
        var down = await _cli.RunAsync("local", "down");

        // Assert
        down.ExitCode.ShouldBe(0, down.ToString());
        down.Stderr.ShouldContain("removed 1 machine(s)");
        QemuLeftovers(qemu).ShouldBeEmpty();
    }

    [Fact]
    [MachineTier]
    public async Task A_leftover_that_cannot_be_removed_is_named_keeps_machines_on_and_reset_removes_it_once_it_can()
    {
        // Arrange: a killed cloud's rescue directory that cannot be deleted (an immutable file in it).
        var (pid, machine) = await UpWithRescueRunningAsync();
        await MachineCloud.KillAsync(pid);
        var rescueDirectory = Directory.GetDirectories(Path.Combine(_cli.Home, ".local", "share", "drover", "local", "state", "machines", "rescue")).Single();
        var stuck = Path.Combine(rescueDirectory, "rescue.sh");
        if (!await ChattrAsync("+i", stuck))
        {
            Assert.Skip($"chattr +i does not work on {stuck}'s file system: no way to make a leftover stick");
        }
        try
        {
            // Act
            var down = await _cli.RunAsync("local", "down");
            var up = await _cli.RunAsync("local", "up");
            var status = await _cli.RunAsync("local", "status");
            var next = await MachineCloud.RescueRunningAsync(_cli, "after-leftover", Ct);

            // Assert
            down.ExitCode.ShouldBe(1, down.ToString());
            down.Stderr.ShouldContain(rescueDirectory);
            up.ExitCode.ShouldBe(0, up.ToString());
            status.Stdout.ShouldContain("Machines:  machines");
            status.Stdout.ShouldContain($"Leftover:  server {machine.ServerId}'s rescue machine");
            status.Stdout.ShouldContain("Hint:      run 'drover local reset'");
            next.Rescue.Running.ShouldBeTrue("a leftover never keeps new machines from running");
        }
        finally
        {
            await ChattrAsync("-i", stuck);
        }
        var reset = await _cli.RunAsync("local", "reset");
        reset.ExitCode.ShouldBe(0, reset.ToString());
        reset.Stdout.ShouldContain("Machines:  machines");
        reset.Stdout.ShouldNotContain("Leftover:");
        Directory.Exists(rescueDirectory).ShouldBeFalse();
        RescueLeftovers(machine).ShouldBeEmpty();
    }

    private async Task<int> PidAsync()
    {
        using var status = await MachineCloud.StatusAsync(_cli);
        return status.RootElement.GetProperty("pid").GetInt32();
    }

    /// <summary>What of a QEMU boot is still on the host: the QEMU process, its namespace, its veth, its address route.</summary>
    private static List<string> QemuLeftovers(ControlQemu qemu)
    {
        var found = MachineCloud.Leftovers(qemu.Namespace, qemu.HostVeth, qemu.Pid, null);
        using var route = Process.Start(new ProcessStartInfo("ip", ["-4", "route", "show", "to", "exact", $"{qemu.Address}/32"]) { RedirectStandardOutput = true })!;
        var routed = route.StandardOutput.ReadToEnd();
        route.WaitForExit();
        if (routed.Trim().Length > 0)
        {
            found.Add($"route {routed.Trim()}");
        }
        return found;
    }

    private static List<string> RescueLeftovers(ControlServerMachine machine)
        => MachineCloud.Leftovers(machine.Rescue.Namespace, machine.Rescue.HostVeth, machine.Rescue.Pid, machine.DiskPath);

    /// <summary>'drover local up', then a server booted into its rescue system; skips (with the reason) where rescue systems cannot run.</summary>
    private async Task<(int Pid, ControlServerMachine Machine)> UpWithRescueRunningAsync()
    {
        if (await MachineCloud.UpAsync(_cli) is { } reason)
        {
            Assert.Skip(reason);
        }
        var pid = await PidAsync();
        return (pid, await MachineCloud.RescueRunningAsync(_cli, "rescue", Ct));
    }

    private static async Task<bool> ChattrAsync(string change, string file)
    {
        using var chattr = Process.Start(new ProcessStartInfo("chattr", [change, file]) { RedirectStandardError = true })!;
        await chattr.WaitForExitAsync(CancellationToken.None);
        return chattr.ExitCode == 0;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}
