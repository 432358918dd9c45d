using Drover.LocalCloud.Machines;
using Drover.LocalCloud.Proxmox;
using Drover.LocalCloud.Tests.Support;
using Drover.Testing;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Xunit;
using ProcessRunner = Drover.Core.Processes.ProcessRunner;

namespace Drover.LocalCloud.Tests.Proxmox;

/// <summary>
/// A linked clone of a template boots for real under QEMU (TCG) on the machine layer: its disk is <see cref="BootDisk"/>'s
/// boot sector, its cloud-init drive the cidata ISO built at start, its address on vmbr0 reached from the host. Stop and
/// delete leave no process and no namespace. Talks to the node over https, trusting only its certificate. Skipped, with
/// the reason, where the machine cannot run QEMU boots.
/// </summary>
[MachineTier]
public sealed class PveBootTests
{
    private static readonly TimeSpan _bootDeadline = TimeSpan.FromSeconds(120);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_linked_clone_boots_with_its_cidata_drive_and_stop_and_delete_leave_nothing()
    {
        // Arrange
        using var work = new TempDirectory();
        var options = TestLocalCloud.DefaultOptions() with { StateDirectory = work.File("state"), Machines = MachineMode.Auto, ShutdownTimeout = TimeSpan.FromSeconds(2) };
        var (app, _) = await LocalCloudServer.StartAsync(options, 0, Ct);
        await using var _app = app;
        var pve = app.Services.GetRequiredService<LocalProxmox>();
        var lifetime = app.Services.GetRequiredService<MachineLifetime>();
        var machines = pve.State.Machines;
        if (machines is null)
        {
            Assert.Skip($"the local cloud runs API-only here: {lifetime.Support.Reason}");
            return;
        }
        if (machines.Unavailable is { } why)
        {
            Assert.Skip($"QEMU boots are unavailable here: {why}");
        }
        using var http = Client(pve);
        var marker = $"DROVER-PVE-{Guid.NewGuid():N}"[..24];
        var disk = new byte[1 << 20];
        BootDisk.BootSector($"console {marker}", $"marker {marker}", powerOff: false).CopyTo(disk, 0);
        await File.WriteAllBytesAsync(Path.Combine(pve.State.Storage.Folder("import"), "boot.raw"), disk, Ct);
        await OkAsync(pve, http, HttpMethod.Post, "nodes/drover/qemu", new()
        {
            ["vmid"] = "100",
            ["name"] = "boot-template",
            ["scsihw"] = "virtio-scsi-pci",
            ["scsi0"] = "local:0,import-from=local:import/boot.raw",
            ["ide2"] = "local:cloudinit",
            ["net0"] = "virtio,bridge=vmbr0",
            ["serial0"] = "socket",
            ["vga"] = "serial0",
            ["agent"] = "1",
            ["memory"] = "128",
        });
        await OkAsync(pve, http, HttpMethod.Post, "nodes/drover/qemu/100/template", null);
        await OkAsync(pve, http, HttpMethod.Post, "nodes/drover/qemu/100/clone", new() { ["newid"] = "101", ["name"] = "booted" });
        await Send(http, HttpMethod.Put, "nodes/drover/qemu/101/config", new() { ["ciuser"] = "root", ["ipconfig0"] = "ip=dhcp" });

        // Act
        await OkAsync(pve, http, HttpMethod.Post, "nodes/drover/qemu/101/status/start", null);
        var status = (await Send(http, HttpMethod.Get, "nodes/drover/qemu/101/status/current", null)).Data;
        var pid = status.GetProperty("pid").GetInt32();
        var address = pve.State.Vm(101).Run!.Machine!.Address;
        var console = await WaitForConsoleAsync(Path.Combine(machines.ConsoleDirectory(101), "console.log"), marker);
        var commandLine = (await File.ReadAllTextAsync($"/proc/{pid}/cmdline", Ct)).Replace('\0', ' ');
        var iso = Path.Combine(pve.State.CloudInitDirectory(101), "cidata.iso");
        var userData = await ProcessRunner.CheckAsync("isoinfo", ["-R", "-i", iso, "-x", "/user-data"], cancellationToken: Ct);
        var networkConfig = await ProcessRunner.CheckAsync("isoinfo", ["-R", "-i", iso, "-x", "/network-config"], cancellationToken: Ct);
        var dumpUser = (await Send(http, HttpMethod.Get, "nodes/drover/qemu/101/cloudinit/dump?type=user", null)).Data.GetString();
        var dumpNetwork = (await Send(http, HttpMethod.Get, "nodes/drover/qemu/101/cloudinit/dump?type=network", null)).Data.GetString();
        var ssh = await ProcessRunner.RunAsync("nc", ["-z", "-w", "5", address, "22"], cancellationToken: Ct);
        var agent = await Send(http, HttpMethod.Get, "nodes/drover/qemu/101/agent/network-get-interfaces", null);
        var template = await Send(http, HttpMethod.Post, "nodes/drover/qemu/100/status/start", null);
        var deleteRunning = await Send(http, HttpMethod.Delete, "nodes/drover/qemu/101", null);
        await OkAsync(pve, http, HttpMethod.Post, "nodes/drover/qemu/101/status/stop", null);
        var stopped = (await Send(http, HttpMethod.Get, "nodes/drover/qemu/101/status/current", null)).Data;
        await OkAsync(pve, http, HttpMethod.Delete, "nodes/drover/qemu/101?purge=1&destroy-unreferenced-disks=1", null);
        await OkAsync(pve, http, HttpMethod.Delete, "nodes/drover/qemu/100?purge=1", null);
        var prefix = lifetime.Runtime!.Names.NamespacePrefix;
        var namespaces = await ProcessRunner.CheckAsync("ip", ["netns", "list"], cancellationToken: Ct);

        // Assert
        status.GetProperty("status").GetString().ShouldBe("running");
        console.ShouldContain($"console {marker}");
        commandLine.ShouldContain("qemu-system-x86_64");
        commandLine.ShouldContain($"restrict=on,net={PveMachines.Subnet}.0/24,host={PveMachines.Subnet}.1,dhcpstart={address},hostfwd=tcp:127.0.0.1:22-:22");
        commandLine.ShouldContain("vm-101-disk-0.qcow2,format=qcow2");
        commandLine.ShouldContain("vm-101-cloudinit.qcow2,format=qcow2,if=none,id=drive-ide2,media=cdrom");
        commandLine.ShouldContain("ide-cd,bus=ide.1,unit=0,drive=drive-ide2");
        commandLine.ShouldContain("virtserialport,chardev=qga0,name=org.qemu.guest_agent.0");
        userData.ShouldBe(dumpUser);
        userData.ShouldContain("user: root\ndisable_root: False\n");
        networkConfig.ShouldBe(dumpNetwork);
        networkConfig.ShouldContain("- type: dhcp4");
        ssh.ExitCode.ShouldBe(0, $"the host reaches the VM's address {address}:22 (socat in its namespace, QEMU's hostfwd): {ssh.Stderr}");
        agent.Status.ShouldBe(500);
        agent.Reason.ShouldBe("QEMU guest agent is not running");
        template.Reason.ShouldBe("you can't start a vm if it's a template");
        deleteRunning.Reason.ShouldBe("VM 101 is running - destroy failed");
        stopped.GetProperty("status").GetString().ShouldBe("stopped");
        HostLeftovers.IsRunning(pid, "qemu-system-x86_64").ShouldBeFalse();
        namespaces.Split('\n').Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ShouldBeEmpty();
        (await ProcessRunner.RunAsync("ip", ["-4", "route", "show", "to", "exact", $"{address}/32"], cancellationToken: Ct)).Stdout.Trim().ShouldBeEmpty();
    }

    /// <summary>An https client that trusts the node's own certificate only (by its SHA-256 fingerprint).</summary>
    private static HttpClient Client(LocalProxmox pve)
    {
        var fingerprint = pve.Credentials.Fingerprint.Replace(":", "", StringComparison.Ordinal);
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate is not null
                && Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(certificate.RawData)) == fingerprint,
        };
        var http = new HttpClient(handler) { BaseAddress = new Uri(pve.Endpoint + "/") };
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"PVEAPIToken={PveCredentials.TokenId}={pve.Credentials.TokenSecret}");
        return http;
    }

    private static Task<PveReply> Send(HttpClient http, HttpMethod method, string path, Dictionary<string, string>? form)
        => PveHarness.SendAsync(http, method, path, form, Ct);

    private static async Task OkAsync(LocalProxmox pve, HttpClient http, HttpMethod method, string path, Dictionary<string, string>? form)
    {
        var reply = await Send(http, method, path, form);
        reply.Status.ShouldBe(200, reply.ToString());
        var task = pve.State.Tasks.Get(reply.Data.GetString()!)!;
        await task.Finished.WaitAsync(_bootDeadline, TimeProvider.System, Ct);
        task.ExitStatus.ShouldBe("OK", $"{method} {path}: {string.Join('\n', task.Log)}");
    }

    private static async Task<string> WaitForConsoleAsync(string file, string marker)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(started) < _bootDeadline)
        {
            if (File.Exists(file) && await File.ReadAllTextAsync(file, Ct) is { } text && text.Contains(marker, StringComparison.Ordinal))
            {
                return text;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System, Ct);
        }
        return File.Exists(file) ? await File.ReadAllTextAsync(file, Ct) : "(no console.log)";
    }
}
