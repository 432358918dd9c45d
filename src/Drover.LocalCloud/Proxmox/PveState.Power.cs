using System.Globalization;
using System.Text.Json.Nodes;
using Drover.Core.Processes;

namespace Drover.LocalCloud.Proxmox;

/// <summary>Starting and stopping VMs, the cloud-init drive they get at every start, and the guest agent.</summary>
public sealed partial class PveState
{
    public PveTask Start(long vmid, string user)
    {
        CheckStartable(Vm(vmid));
        return Tasks.Start("qmstart", vmid.ToString(CultureInfo.InvariantCulture), user, task => StartAsync(vmid, task, CancellationToken.None));
    }

    private static void CheckStartable(PveVm vm)
    {
        if (vm.Config.IsTemplate)
        {
            throw PveException.Failed("you can't start a vm if it's a template");
        }
        if (vm.Lock is { } held)
        {
            throw PveException.Failed($"VM is locked ({held})");
        }
    }

    /// <summary>Builds the cloud-init drive (as every PVE start does) and boots the VM (API-only: marks it running).</summary>
    internal async Task StartAsync(long vmid, PveTask task, CancellationToken cancellationToken)
    {
        var vm = LockVm(vmid, "start", vm =>
        {
            CheckStartable(vm);
            if (vm.Run is not null)
            {
                throw PveException.Failed($"VM {vmid} already running");
            }
        });
        try
        {
            if (vm.Config["arch"] is "aarch64")
            {
                throw PveException.Failed("the local Proxmox VE runs x86_64 VMs only (arch aarch64 is not supported here)");
            }
            await GenerateCloudInitAsync(vm, task, cancellationToken);
            var machine = Machines is null ? null : await Machines.StartAsync(this, vm, task, cancellationToken);
            lock (_gate)
            {
                vm.Run = new PveRun(Time.GetUtcNow().ToUnixTimeSeconds(), machine);
            }
            if (machine is not null)
            {
                _ = machine.Exited.ContinueWith(_ => Exited(vm, machine), TaskScheduler.Default);
            }
        }
        finally
        {
            Unlock(vm);
        }
    }

    /// <summary>A guest that powered itself off (or a QEMU that died) leaves the VM stopped and its network gone.</summary>
    private void Exited(PveVm vm, PveMachine machine)
    {
        if (machine.Stopping)
        {
            return;
        }
        lock (_gate)
        {
            if (vm.Run?.Machine == machine)
            {
                vm.Run = null;
            }
        }
        _ = machine.StopAsync(null, CancellationToken.None);
    }

    /// <summary>stop (hard), shutdown (ACPI, then stop after <c>timeout</c> when <c>forceStop</c>), reboot.</summary>
    public PveTask Stop(long vmid, string kind, IDictionary<string, string> parameters, string user)
    {
        var vm = Vm(vmid);
        if (vm.Run is null && kind != "qmstop")
        {
            throw PveException.Failed($"VM {vmid} not running");
        }
        var timeout = parameters.TryGetValue("timeout", out var t) ? TimeSpan.FromSeconds(long.Parse(t, CultureInfo.InvariantCulture)) : (TimeSpan?)null;
        return Tasks.Start(kind, vmid.ToString(CultureInfo.InvariantCulture), user, async task =>
        {
            var run = vm.Run;
            if (run is null)
            {
                return;
            }
            var grace = kind == "qmstop" ? (TimeSpan?)null : timeout ?? Machines?.ShutdownTimeout ?? TimeSpan.FromSeconds(60);
            if (run.Machine is { } machine)
            {
                await machine.StopAsync(grace, CancellationToken.None);
            }
            lock (_gate)
            {
                vm.Run = null;
            }
            if (kind == "qmreboot")
            {
                await StartAsync(vmid, task, CancellationToken.None);
            }
        });
    }

    /// <summary>PUT /cloudinit: regenerates the drive now.</summary>
    public Task RegenerateCloudInitAsync(long vmid, CancellationToken cancellationToken)
        => GenerateCloudInitAsync(Vm(vmid), Tasks.Detached(), cancellationToken);

    /// <summary>
    /// Writes the NoCloud files into the VM's cloud-init directory, makes the ISO with <c>genisoimage -quiet -iso-level 3
    /// -J -R -V cidata</c> and writes it into the drive's qcow2 volume, as qemu-server does.
    /// </summary>
    internal async Task GenerateCloudInitAsync(PveVm vm, PveTask task, CancellationToken cancellationToken)
    {
        var config = vm.Config;
        if (config.DriveKeys.FirstOrDefault(k => IsCloudInit(config[k]!)) is not { } key)
        {
            return;
        }
        if (config["citype"] is { } citype && citype != "nocloud")
        {
            throw PveException.Failed($"cloud-init type '{citype}' is not supported by the local Proxmox VE (nocloud only)");
        }
        var files = CloudInit.Files(config, vm.Vmid, Snippet);
        var directory = CloudInitDirectory(vm.Vmid);
        var content = Path.Combine(directory, "files");
        if (Directory.Exists(content))
        {
            Directory.Delete(content, recursive: true);
        }
        Directory.CreateDirectory(content);
        foreach (var (name, text) in files)
        {
            await File.WriteAllTextAsync(Path.Combine(content, name), text, cancellationToken);
        }
        var iso = Path.Combine(directory, "cidata.iso");
        var genisoimage = ProcessRunner.Find("genisoimage") ?? throw PveException.Failed("genisoimage not found (install genisoimage; bash scripts/setup does)");
        task.Write("generating cloud-init ISO");
        var result = await ProcessRunner.RunAsync(genisoimage, ["-quiet", "-iso-level", "3", "-J", "-R", "-V", "cidata", "-o", iso, content],
            new ProcessOptions { Timeout = TimeSpan.FromMinutes(1) }, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw PveException.Failed($"genisoimage failed: {result.Stderr.Trim()}");
        }
        var volume = DriveFile(config[key]!)!;
        await QemuImgAsync(["convert", "-f", "raw", "-O", volume.EndsWith(".raw", StringComparison.Ordinal) ? "raw" : "qcow2", iso, volume], directory, cancellationToken);
    }

    /// <summary>The content of a <c>cicustom</c> volume, which must be a snippet (read up to 1 MiB).</summary>
    private string Snippet(string volid)
    {
        var (content, file, _) = Storage.Resolve(volid);
        if (content != "snippets")
        {
            throw PveException.Failed($"{volid} is not in the snippets directory");
        }
        if (!File.Exists(file))
        {
            throw PveException.Failed($"volume '{volid}' does not exist");
        }
        using var stream = File.OpenRead(file);
        var buffer = new byte[Math.Min(stream.Length, 1024 * 1024)];
        stream.ReadExactly(buffer);
        return System.Text.Encoding.UTF8.GetString(buffer);
    }

    /// <summary>GET agent/network-get-interfaces: through the VM's guest agent channel, PVE's errors when it cannot answer.</summary>
    public async Task<JsonNode?> AgentAsync(long vmid, string command, CancellationToken cancellationToken)
    {
        var vm = Vm(vmid);
        if (vm.Run is null)
        {
            throw PveException.Failed($"VM {vmid} is not running");
        }
        if (vm.Config["agent"] is not { } agent || PveVmConfig.ParseProperty(agent, "enabled").Keys.FirstOrDefault(k => k.Key == "enabled").Value is not ("1" or "true" or "on" or "yes"))
        {
            throw PveException.Failed("No QEMU guest agent configured");
        }
        if (vm.Run.Machine is not { } machine)
        {
            throw PveException.Failed("QEMU guest agent is not running");
        }
        return await machine.AgentAsync(command, cancellationToken) ?? throw PveException.Failed("QEMU guest agent is not running");
    }
}
