using System.Diagnostics;
using System.Text.Json;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.LocalCloud;
using Shouldly;
using Xunit;

namespace Drover.Cli.Tests;

/// <summary>'drover local up/down/status/reset' with a real background process, stopped by its own PID.</summary>
public sealed class LocalCloudProcessTests : IAsyncLifetime
{
    private readonly CliRunner _cli = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _cli.RunAsync("local", "down");
        _cli.Dispose();
    }

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
        IsRunning(pid).ShouldBeTrue();
        var text = await _cli.RunAsync("local", "status");
        text.Stdout.ShouldContain($"Boots:     {current.RootElement.GetProperty("machine").GetProperty("boot").GetString()}");
        text.Stdout.ShouldNotContain(current.RootElement.GetProperty("token").GetString()!, customMessage: "the text view never prints the token");

        var exports = await _cli.RunAsync("local", "env");
        exports.Stdout.Trim().ShouldBe($"export HCLOUD_ENDPOINT={current.RootElement.GetProperty("endpoint").GetString()} HCLOUD_TOKEN={current.RootElement.GetProperty("token").GetString()}");

        var down = await _cli.RunAsync("local", "down");

        down.ExitCode.ShouldBe(0, down.ToString());
        IsRunning(pid).ShouldBeFalse("the local cloud process must be gone after 'local down'");
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
    public async Task Down_stops_the_rescue_systems_gracefully()
    {
        // Arrange
        var (pid, machine) = await UpWithRescueRunningAsync();
        Leftovers(machine).ShouldNotBeEmpty();

        // Act
        var down = await _cli.RunAsync("local", "down");

        // Assert
        down.ExitCode.ShouldBe(0, down.ToString());
        IsRunning(pid).ShouldBeFalse();
        down.Stderr.ShouldNotContain("removed", Case.Insensitive, "the server stopped its rescue systems itself; nothing was left to sweep");
        Leftovers(machine).ShouldBeEmpty();
    }

    [Fact]
    public async Task Down_after_the_local_cloud_was_killed_removes_the_rescue_system_it_left()
    {
        // Arrange
        var (pid, machine) = await UpWithRescueRunningAsync();
        await KillAsync(pid);
        Leftovers(machine).ShouldNotBeEmpty("a SIGKILLed local cloud cannot stop its rescue system");

        // Act
        var down = await _cli.RunAsync("local", "down");

        // Assert
        down.ExitCode.ShouldBe(0, down.ToString());
        down.Stderr.ShouldContain("removed 1 machine(s)");
        Leftovers(machine).ShouldBeEmpty();
    }

    [Fact]
    public async Task Down_after_the_local_cloud_was_killed_during_a_qemu_boot_removes_qemu_and_its_namespace()
    {
        // Arrange
        var support = MachineSupportProbe.Probe();
        if (support.Mode != MachineSupportProbe.Machines || support.Boot == MachineSupportProbe.NoBoot)
        {
            Assert.Skip($"QEMU boots cannot run here: {support.BootReason ?? support.Reason}");
        }
        var (pid, endpoint, token, client) = await UpAsync();
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using (var seed = await http.PostAsync(new Uri(endpoint, "/__localcloud/seed/snapshots"), new StringContent("""{"count": 1, "labels": {"boot": "spin"}}""", System.Text.Encoding.UTF8, "application/json"), Ct))
        {
            seed.EnsureSuccessStatusCode();
        }
        var image = await client.Images.ListAsync(new ImageListOptions { LabelSelector = Hcloud.Labels.LabelSelector.Parse("boot=spin") }, Ct).SingleAsync(Ct);
        // A boot sector that spins forever (jmp $): QEMU keeps running until something stops it.
        var sector = new byte[512];
        (sector[0], sector[1], sector[510], sector[511]) = (0xEB, 0xFE, 0x55, 0xAA);
        using (var disk = await http.PostAsync(new Uri(endpoint, $"/__localcloud/images/{image.Id}/disk"), new ByteArrayContent(sector), Ct))
        {
            disk.EnsureSuccessStatusCode();
        }
        var created = await client.Servers.CreateAsync(new CreateServerRequest { Name = "spinning", ServerType = "cx23", Image = IdOrName.FromId(image.Id) }, Ct);
        await client.Actions.WaitAsync([created.Action, .. created.NextActions], cancellationToken: Ct);
        var machine = JsonSerializer.Deserialize(await http.GetStringAsync(new Uri(endpoint, $"/__localcloud/servers/{created.Server.Id}"), Ct), LocalCloudJsonContext.Default.ControlServerMachine)!;
        var qemu = machine.Qemu.ShouldNotBeNull("a server whose disk holds data boots under QEMU");
        await KillAsync(pid);
        QemuLeftovers(qemu).ShouldNotBeEmpty("a SIGKILLed local cloud cannot stop its QEMU");

        // Act
        var down = await _cli.RunAsync("local", "down");

        // Assert
        down.ExitCode.ShouldBe(0, down.ToString());
        down.Stderr.ShouldContain("removed 1 machine(s)");
        QemuLeftovers(qemu).ShouldBeEmpty();
    }

    /// <summary>'drover local up', then its PID, endpoint and token from 'local status', and a client with fast polling.</summary>
    private async Task<(int Pid, Uri Endpoint, string Token, HcloudClient Client)> UpAsync()
    {
        (await _cli.RunAsync("local", "up")).ExitCode.ShouldBe(0);
        using var status = JsonDocument.Parse((await _cli.RunAsync("local", "status", "-o", "json")).Stdout);
        var pid = status.RootElement.GetProperty("pid").GetInt32();
        var endpoint = new Uri(status.RootElement.GetProperty("endpoint").GetString()!);
        var token = status.RootElement.GetProperty("token").GetString()!;
        return (pid, endpoint, token, HcloudClient.Create(new HcloudClientOptions { Endpoint = endpoint, Token = token, PollInterval = TimeSpan.FromMilliseconds(100) }));
    }

    /// <summary>SIGKILLs the local cloud's process by its PID and waits (up to a deadline) until it is gone.</summary>
    private static async Task KillAsync(int pid)
    {
        using (var server = Process.GetProcessById(pid))
        {
            server.Kill();
        }
        var waited = Stopwatch.StartNew();
        while (IsRunning(pid) && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), Ct);
        }
        IsRunning(pid).ShouldBeFalse();
    }

    /// <summary>What of a QEMU boot is still on the host: the QEMU process, its namespace, its veth, its address route.</summary>
    private static List<string> QemuLeftovers(ControlQemu qemu)
    {
        var found = new List<string>();
        if (File.Exists($"/run/netns/{qemu.Namespace}"))
        {
            found.Add($"namespace {qemu.Namespace}");
        }
        if (Directory.Exists($"/sys/class/net/{qemu.HostVeth}"))
        {
            found.Add($"veth {qemu.HostVeth}");
        }
        if (qemu.Pid is { } pid && IsRunning(pid) && File.ReadAllText($"/proc/{pid}/cmdline").Contains("qemu-system", StringComparison.Ordinal))
        {
            found.Add($"qemu {pid}");
        }
        using var route = Process.Start(new ProcessStartInfo("ip", ["-4", "route", "show", "to", "exact", $"{qemu.Address}/32"]) { RedirectStandardOutput = true })!;
        var routed = route.StandardOutput.ReadToEnd();
        route.WaitForExit();
        if (routed.Trim().Length > 0)
        {
            found.Add($"route {routed.Trim()}");
        }
        return found;
    }

    /// <summary>
    /// 'drover local up', then a server booted into its rescue system through the API; skips (with the reason) where
    /// rescue systems cannot run. Returns the server process's PID and where the rescue system is.
    /// </summary>
    private async Task<(int Pid, ControlServerMachine Machine)> UpWithRescueRunningAsync()
    {
        var support = MachineSupportProbe.Probe();
        if (support.Mode != MachineSupportProbe.Machines)
        {
            Assert.Skip($"rescue systems cannot run here: {support.Reason}");
        }
        var (pid, endpoint, token, client) = await UpAsync();
        var keyFile = Path.Combine(_cli.Home, "id_ed25519");
        using (var keygen = Process.Start("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", keyFile]))
        {
            await keygen.WaitForExitAsync(Ct);
        }
        var key = await client.SshKeys.CreateAsync(new CreateSshKeyRequest { Name = "rescue", PublicKey = (await File.ReadAllTextAsync(keyFile + ".pub", Ct)).Trim() }, Ct);
        var created = await client.Servers.CreateAsync(new CreateServerRequest { Name = "rescue", ServerType = "cx23", Image = "ubuntu-24.04", StartAfterCreate = false }, Ct);
        await client.Actions.WaitAsync([created.Action], cancellationToken: Ct);
        await client.Actions.WaitAsync([(await client.Servers.EnableRescueAsync(created.Server.Id, new EnableRescueRequest { SshKeys = [key.Id] }, Ct)).Action], cancellationToken: Ct);
        await client.Actions.WaitAsync([await client.Servers.PowerOnAsync(created.Server.Id, Ct)], cancellationToken: Ct);
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        var machine = JsonSerializer.Deserialize(await http.GetStringAsync(new Uri(endpoint, $"/__localcloud/servers/{created.Server.Id}"), Ct), LocalCloudJsonContext.Default.ControlServerMachine)!;
        machine.Rescue.Running.ShouldBeTrue();
        return (pid, machine);
    }

    /// <summary>What of a rescue system is still on the host: namespace, veth, sshd, loop device over its disk.</summary>
    private static List<string> Leftovers(ControlServerMachine machine)
    {
        var rescue = machine.Rescue;
        var found = new List<string>();
        if (File.Exists($"/run/netns/{rescue.Namespace}"))
        {
            found.Add($"namespace {rescue.Namespace}");
        }
        if (Directory.Exists($"/sys/class/net/{rescue.HostVeth}"))
        {
            found.Add($"veth {rescue.HostVeth}");
        }
        if (rescue.Pid is { } pid && IsRunning(pid) && File.ReadAllText($"/proc/{pid}/cmdline").Contains(rescue.Namespace!, StringComparison.Ordinal))
        {
            found.Add($"sshd {pid}");
        }
        using (var losetup = Process.Start(new ProcessStartInfo("losetup", ["--list", "--noheadings", "--output", "BACK-FILE"]) { RedirectStandardOutput = true })!)
        {
            var backing = losetup.StandardOutput.ReadToEnd();
            losetup.WaitForExit();
            if (backing.Contains(machine.DiskPath!, StringComparison.Ordinal))
            {
                found.Add($"loop device over {machine.DiskPath}");
            }
        }
        return found;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A live process has a command line; an exited one (gone, or a zombie not yet reaped) has none.</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Length > 0;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
