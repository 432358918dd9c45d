using System.Globalization;
using Drover.Core.Files;

namespace Drover.LocalCloud.Proxmox;

/// <summary>
/// The local Proxmox VE node: its VMs (configurations as <c>qemu-server/VMID.conf</c> under <see cref="Root"/>), the
/// <c>local</c> storage, worker tasks, and the VMs' machines. Every change of a VM happens under one lock; the slow
/// work (copies, qemu-img, boots) runs in tasks while the VM carries a config lock, as in qemu-server.
/// </summary>
public sealed partial class PveState : IAsyncDisposable
{
    /// <summary>Proxmox's default MAC prefix (datacenter.cfg <c>mac_prefix</c>).</summary>
    public const string MacPrefix = "BC:24:11";

    private static readonly string[] _contentTypes = ["iso", "vztmpl", "snippets", "import"];

    private readonly Lock _gate = new();
    private readonly Dictionary<long, PveVm> _vms = [];
    private readonly bool _temporary;

    public PveState(string node, string? stateDirectory, TimeProvider time, PveMachines? machines, Microsoft.Extensions.Logging.ILogger? log = null)
    {
        Node = node;
        Time = time;
        Machines = machines;
        _temporary = stateDirectory is null;
        Root = stateDirectory is null ? Directory.CreateTempSubdirectory("drover-localpve-").FullName : Path.Combine(stateDirectory, "proxmox");
        Directory.CreateDirectory(ConfigDirectory);
        Storage = new PveStorage(Path.Combine(Root, "storage", PveStorage.Name));
        Tasks = new PveTasks(node, time, log);
        CloudInit = new PveCloudInit(machines?.Nameservers ?? [], []);
        foreach (var file in Directory.EnumerateFiles(ConfigDirectory, "*.conf"))
        {
            if (long.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out var vmid))
            {
                var config = PveVmConfig.Parse(File.ReadAllText(file));
                config["lock"] = null; // the task that held it did not survive the restart
                _vms[vmid] = new PveVm(vmid, config);
            }
        }
    }

    public string Node { get; }

    public TimeProvider Time { get; }

    /// <summary>The VMs' machines; null when the local cloud runs API-only (a started VM then only says it runs).</summary>
    public PveMachines? Machines { get; }

    /// <summary><c>STATE/proxmox</c>: configurations, storage, cloud-init drives.</summary>
    public string Root { get; }

    public PveStorage Storage { get; }

    public PveTasks Tasks { get; }

    public PveCloudInit CloudInit { get; }

    private string ConfigDirectory => Path.Combine(Root, "qemu-server");

    /// <summary>Where a VM's cloud-init files and ISO are generated (PVE: /run/pve/cloudinit/VMID/).</summary>
    public string CloudInitDirectory(long vmid) => Path.Combine(Root, "cloudinit", vmid.ToString(CultureInfo.InvariantCulture));

    public IReadOnlyList<PveVm> Vms()
    {
        lock (_gate)
        {
            return [.. _vms.Values.Where(v => !v.Building).OrderBy(v => v.Vmid)];
        }
    }

    /// <summary>The VM, or PVE's missing-configuration error.</summary>
    public PveVm Vm(long vmid)
    {
        lock (_gate)
        {
            return _vms.TryGetValue(vmid, out var vm) && !vm.Building ? vm : throw PveException.NoVm(Node, vmid);
        }
    }

    public void CheckNode(string node)
    {
        if (node != Node)
        {
            throw PveException.Failed($"hostname lookup '{node}' failed - failed to get address info for: {node}: Name or service not known");
        }
    }

    /// <summary>The lowest free VMID from 100, or checks <paramref name="wanted"/> (GET /cluster/nextid).</summary>
    public long NextId(long? wanted)
    {
        lock (_gate)
        {
            if (wanted is { } id)
            {
                return _vms.ContainsKey(id) ? throw PveException.Parameter("vmid", $"VM {id} already exists") : id;
            }
            var next = 100L;
            while (_vms.ContainsKey(next))
            {
                next++;
            }
            return next;
        }
    }

    /// <summary>Runs <paramref name="change"/> on the VM under the lock (refusing a locked VM) and saves its configuration.</summary>
    public T Change<T>(long vmid, Func<PveVm, T> change, bool ignoreLock = false)
    {
        lock (_gate)
        {
            if (!_vms.TryGetValue(vmid, out var vm) || vm.Building)
            {
                throw PveException.NoVm(Node, vmid);
            }
            if (vm.Lock is { } held && !ignoreLock)
            {
                throw PveException.Failed($"VM is locked ({held})");
            }
            var result = change(vm);
            Save(vm);
            return result;
        }
    }

    /// <summary>Takes the config lock <paramref name="name"/> on a VM for a task; <see cref="Unlock"/> gives it back.</summary>
    public PveVm LockVm(long vmid, string name, Action<PveVm>? check = null)
        => Change(vmid, vm =>
        {
            check?.Invoke(vm);
            vm.Lock = name;
            return vm;
        });

    public void Unlock(PveVm vm)
    {
        lock (_gate)
        {
            vm.Lock = null;
            if (_vms.ContainsKey(vm.Vmid))
            {
                Save(vm);
            }
        }
    }

    /// <summary>Reserves <paramref name="vmid"/> for a VM being built (create, clone): PVE's create_and_lock_config.</summary>
    public PveVm Reserve(long vmid, string lockName)
    {
        lock (_gate)
        {
            if (_vms.ContainsKey(vmid))
            {
                throw PveException.Failed($"unable to create VM {vmid}: config file already exists");
            }
            var vm = new PveVm(vmid, new PveVmConfig()) { Building = true, Lock = lockName };
            _vms[vmid] = vm;
            return vm;
        }
    }

    /// <summary>Publishes a built VM (unlocked, saved).</summary>
    public void Complete(PveVm vm)
    {
        lock (_gate)
        {
            vm.Building = false;
            vm.Lock = null;
            Save(vm);
        }
    }

    /// <summary>Forgets a VM: its configuration file and its images directory.</summary>
    public void Forget(PveVm vm)
    {
        lock (_gate)
        {
            _vms.Remove(vm.Vmid);
            File.Delete(ConfigFile(vm.Vmid));
        }
        var images = Path.Combine(Storage.Path, "images", vm.Vmid.ToString(CultureInfo.InvariantCulture));
        if (Directory.Exists(images))
        {
            Directory.Delete(images, recursive: true);
        }
        if (Directory.Exists(CloudInitDirectory(vm.Vmid)))
        {
            Directory.Delete(CloudInitDirectory(vm.Vmid), recursive: true);
        }
    }

    /// <summary>The VMs whose disks are linked clones of a volume of <paramref name="vmid"/>.</summary>
    public IReadOnlyList<long> LinkedClonesOf(long vmid)
    {
        var prefix = $"{PveStorage.Name}:{vmid}/base-";
        lock (_gate)
        {
            return [.. _vms.Values.Where(v => v.Vmid != vmid && v.Config.DriveKeys.Any(k => v.Config[k]!.StartsWith(prefix, StringComparison.Ordinal))).Select(v => v.Vmid)];
        }
    }

    public string NewMac()
    {
        var bytes = System.Security.Cryptography.RandomNumberGenerator.GetBytes(3);
        return $"{MacPrefix}:{bytes[0]:X2}:{bytes[1]:X2}:{bytes[2]:X2}";
    }

    private string ConfigFile(long vmid) => Path.Combine(ConfigDirectory, $"{vmid}.conf");

    private void Save(PveVm vm)
    {
        if (vm.Building)
        {
            return;
        }
        var config = vm.Config.Copy();
        config["lock"] = vm.Lock;
        AtomicFile.WriteAllText(ConfigFile(vm.Vmid), config.Text());
    }

    /// <summary>
    /// Forgets every VM and volume (<c>POST /__localcloud/reset</c>): waits for running tasks, stops running VMs,
    /// deletes configurations, images and the storage's content. The credentials stay.
    /// </summary>
    public async Task ResetAsync()
    {
        await Tasks.WhenAllAsync().WaitAsync(TimeSpan.FromMinutes(2), TimeProvider.System).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        List<PveVm> all;
        lock (_gate)
        {
            all = [.. _vms.Values];
        }
        foreach (var vm in all)
        {
            if (vm.Run?.Machine is { } machine)
            {
                await machine.StopAsync(null, CancellationToken.None);
            }
            Forget(vm);
        }
        foreach (var content in _contentTypes)
        {
            foreach (var file in Directory.EnumerateFiles(Storage.Folder(content)))
            {
                File.Delete(file);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var vm in Vms())
        {
            if (vm.Run?.Machine is { } machine)
            {
                await machine.StopAsync(null, CancellationToken.None);
            }
        }
        await Tasks.WhenAllAsync().WaitAsync(TimeSpan.FromSeconds(30), TimeProvider.System).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_temporary && Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
