using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.LocalCloud;

namespace Drover.Cli.Tests;

/// <summary>The runner's own local cloud ('drover local up') with real machines, for process-level machine tests.</summary>
public static class MachineCloud
{
    /// <summary>Starts it; returns why machine tests cannot run here (not root, a tool missing, API-only), or null.</summary>
    public static async Task<string?> UpAsync(CliRunner cli)
    {
        if (Environment.UserName != "root")
        {
            return "machine tests need root (network namespaces, loop devices)";
        }
        foreach (var tool in new[] { "/usr/sbin/sshd", "/usr/bin/ssh", "/usr/bin/ssh-keygen" })
        {
            if (!File.Exists(tool))
            {
                return $"{tool} is missing (bash scripts/setup installs it)";
            }
        }
        var up = await cli.RunAsync("local", "up");
        if (up.ExitCode != 0)
        {
            throw new InvalidOperationException($"drover local up failed: {up}");
        }
        using var status = await StatusAsync(cli);
        var machine = status.RootElement.GetProperty("machine");
        return machine.GetProperty("mode").GetString() == "machines" ? null : "the local cloud runs API-only here: " + machine.GetProperty("reason").GetString();
    }

    /// <summary>'drover local status -o json'.</summary>
    public static async Task<JsonDocument> StatusAsync(CliRunner cli)
    {
        var status = await cli.RunAsync("local", "status", "-o", "json");
        return status.ExitCode == 0 ? JsonDocument.Parse(status.Stdout) : throw new InvalidOperationException(status.ToString());
    }

    /// <summary>A client of the runner's running local cloud (endpoint and token from its status), polling often.</summary>
    public static async Task<HcloudClient> ClientAsync(CliRunner cli)
    {
        using var status = await StatusAsync(cli);
        return HcloudClient.Create(new HcloudClientOptions
        {
            Endpoint = new Uri(status.RootElement.GetProperty("endpoint").GetString()!),
            Token = status.RootElement.GetProperty("token").GetString()!,
            PollInterval = TimeSpan.FromMilliseconds(100),
        });
    }

    /// <summary>Whether QEMU boots run here too (skip reason, or null).</summary>
    public static string? BootsUnavailable()
    {
        var support = MachineSupportProbe.Probe();
        return support.Mode == MachineSupportProbe.Machines && support.Boot != MachineSupportProbe.NoBoot ? null : $"QEMU boots cannot run here: {support.BootReason ?? support.Reason}";
    }

    /// <summary>A server booted into its rescue system through the API (a real sshd in its namespace); returns where it runs.</summary>
    public static async Task<ControlServerMachine> RescueRunningAsync(CliRunner cli, string name, CancellationToken ct)
    {
        var client = await ClientAsync(cli);
        var keyFile = Path.Combine(cli.Home, $"id_{name}");
        using (var keygen = Process.Start("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", keyFile]))
        {
            await keygen.WaitForExitAsync(ct);
        }
        var key = await client.SshKeys.CreateAsync(new CreateSshKeyRequest { Name = name, PublicKey = (await File.ReadAllTextAsync(keyFile + ".pub", ct)).Trim() }, ct);
        var created = await client.Servers.CreateAsync(new CreateServerRequest { Name = name, ServerType = "cx23", Image = "ubuntu-24.04", StartAfterCreate = false }, ct);
        await client.Actions.WaitAsync([created.Action], cancellationToken: ct);
        await client.Actions.WaitAsync([(await client.Servers.EnableRescueAsync(created.Server.Id, new EnableRescueRequest { SshKeys = [key.Id] }, ct)).Action], cancellationToken: ct);
        await client.Actions.WaitAsync([await client.Servers.PowerOnAsync(created.Server.Id, ct)], cancellationToken: ct);
        var machine = await MachineOfAsync(cli, created.Server.Id, ct);
        return machine.Rescue.Running ? machine : throw new InvalidOperationException($"server {name}'s rescue system does not run");
    }

    /// <summary>
    /// A server booted under QEMU from a seeded snapshot whose boot sector spins forever (jmp $): QEMU keeps running
    /// until something stops it. Returns where it runs.
    /// </summary>
    public static async Task<ControlServerMachine> QemuSpinningAsync(CliRunner cli, string name, CancellationToken ct)
    {
        var client = await ClientAsync(cli);
        using var http = await ControlClientAsync(cli);
        using (var seed = await http.PostAsync("/__localcloud/seed/snapshots", new StringContent(JsonSerializer.Serialize(new { count = 1, labels = new Dictionary<string, string> { ["boot"] = name } }), Encoding.UTF8, "application/json"), ct))
        {
            seed.EnsureSuccessStatusCode();
        }
        var image = await client.Images.ListAsync(new ImageListOptions { LabelSelector = Hcloud.Labels.LabelSelector.Parse($"boot={name}") }, ct).SingleAsync(ct);
        var sector = new byte[512];
        (sector[0], sector[1], sector[510], sector[511]) = (0xEB, 0xFE, 0x55, 0xAA);
        using (var disk = await http.PostAsync($"/__localcloud/images/{image.Id}/disk", new ByteArrayContent(sector), ct))
        {
            disk.EnsureSuccessStatusCode();
        }
        var created = await client.Servers.CreateAsync(new CreateServerRequest { Name = name, ServerType = "cx23", Image = IdOrName.FromId(image.Id) }, ct);
        await client.Actions.WaitAsync([created.Action, .. created.NextActions], cancellationToken: ct);
        var machine = await MachineOfAsync(cli, created.Server.Id, ct);
        return machine.Qemu is not null ? machine : throw new InvalidOperationException($"server {name} does not run under QEMU");
    }

    /// <summary>Where a server's rescue system, QEMU and disk are (control API).</summary>
    public static async Task<ControlServerMachine> MachineOfAsync(CliRunner cli, long serverId, CancellationToken ct)
    {
        using var http = await ControlClientAsync(cli);
        return JsonSerializer.Deserialize(await http.GetStringAsync($"/__localcloud/servers/{serverId}", ct), LocalCloudJsonContext.Default.ControlServerMachine)!;
    }

    /// <summary>What of a rescue system or QEMU boot is still on the host: namespace, veth, its process, the loop device over the disk.</summary>
    public static List<string> Leftovers(string? ns, string? veth, int? pid, string? disk)
    {
        var found = new List<string>();
        if (ns is not null && File.Exists($"/run/netns/{ns}"))
        {
            found.Add($"namespace {ns}");
        }
        if (veth is not null && Directory.Exists($"/sys/class/net/{veth}"))
        {
            found.Add($"veth {veth}");
        }
        if (pid is { } p && IsRunning(p))
        {
            found.Add($"process {p} ({File.ReadAllText($"/proc/{p}/cmdline").Replace('\0', ' ')})");
        }
        if (disk is not null)
        {
            using var losetup = Process.Start(new ProcessStartInfo("losetup", ["--list", "--noheadings", "--output", "BACK-FILE"]) { RedirectStandardOutput = true })!;
            var backing = losetup.StandardOutput.ReadToEnd();
            losetup.WaitForExit();
            if (backing.Contains(disk, StringComparison.Ordinal))
            {
                found.Add($"loop device over {disk}");
            }
        }
        return found;
    }

    /// <summary>A live process has a command line; an exited one (gone, or a zombie not yet reaped) has none.</summary>
    public static bool IsRunning(int pid)
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

    /// <summary>SIGKILLs a process by its PID and waits (up to a deadline) until it is gone.</summary>
    public static async Task KillAsync(int pid)
    {
        using (var process = Process.GetProcessById(pid))
        {
            process.Kill();
        }
        var waited = Stopwatch.StartNew();
        while (IsRunning(pid) && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None);
        }
        if (IsRunning(pid))
        {
            throw new InvalidOperationException($"process {pid} outlived SIGKILL for 30 s");
        }
    }

    private static async Task<HttpClient> ControlClientAsync(CliRunner cli)
    {
        using var status = await StatusAsync(cli);
        var http = new HttpClient { BaseAddress = new Uri(new Uri(status.RootElement.GetProperty("endpoint").GetString()!), "/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", status.RootElement.GetProperty("token").GetString());
        return http;
    }
}
