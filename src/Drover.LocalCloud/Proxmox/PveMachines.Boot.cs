using System.Globalization;
using System.Net;
using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Machines;

namespace Drover.LocalCloud.Proxmox;

/// <summary>Booting a VM: its address on vmbr0, its drives, QEMU through the machine runtime, and its guest agent.</summary>
public sealed partial class PveMachines
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, string> _addresses = [];

    /// <summary>
    /// Starts VM <paramref name="vm"/>'s QEMU: x86 only, its disks (scsiN) and cdroms (ideN, the cloud-init drive), its
    /// net0 MAC, its address (ipconfig0's static one, else one of vmbr0's the emulator leases).
    /// </summary>
    internal async Task<PveMachine> StartAsync(PveState state, PveVm vm, PveTask task, CancellationToken cancellationToken)
    {
        if (_runtime.BootsDisabled is { } why)
        {
            throw PveException.Failed($"VM {vm.Vmid} cannot start here: {why}");
        }
        var config = vm.Config;
        var mac = config["net0"] is { } net0 ? PveCloudInit.MacOf(net0) : null;
        if (mac is null)
        {
            throw PveException.Failed($"VM {vm.Vmid} needs net0 with a MAC on {Bridge} to start on the local Proxmox VE (its SSH and guest agent address)");
        }
        var drives = Drives(state, config);
        var disk = drives.FirstOrDefault(d => !d.Cdrom) ?? throw PveException.Failed($"VM {vm.Vmid} has no disk to boot from");
        var (address, network, gateway) = Lease(vm);
        var machineId = MachineRuntime.VmMachineOffset + vm.Vmid;
        var spec = new BootSpec(machineId, address, mac, new FileInfo(disk.File).Length, Architecture.X86,
            config["bios"] == "ovmf" ? BootFirmware.Uefi : BootFirmware.Bios,
            new VmBoot(vm.Vmid, network, gateway, Memory(config), Cores(config), drives));
        QemuMachine qemu;
        try
        {
            qemu = await _runtime.StartVmAsync(spec, disk.File, cancellationToken);
        }
        catch (MachineException e)
        {
            Release(vm.Vmid);
            throw PveException.Failed($"start failed: {e.Message}");
        }
        task.Write($"VM {vm.Vmid} started: QEMU pid {qemu.Entry.Pid}, address {address} on {Bridge}");
        return new PveMachine(address, qemu.Entry.Pid, qemu.Exited,
            async (grace, ct) =>
            {
                await _runtime.StopVmAsync(machineId, grace, ct);
                Release(vm.Vmid);
            },
            async (command, ct) => await GuestAgent.ExecuteAsync(qemu.Entry.Marker, command, ct) is { } answer ? new System.Text.Json.Nodes.JsonObject { ["result"] = answer } : null);
    }

    /// <summary>The console directory of a VM's boot.</summary>
    public string ConsoleDirectory(long vmid) => _runtime.VmConsoleDirectory(vmid);

    /// <summary>scsiN disks in order, then ideN/sataN cdroms; a qcow2 file (linked clones, the cloud-init drive) as qcow2.</summary>
    private static List<VmDrive> Drives(PveState state, PveVmConfig config)
    {
        var drives = new List<VmDrive>();
        var keys = config.DriveKeys.Where(k => !k.StartsWith("unused", StringComparison.Ordinal))
            .OrderBy(k => k.StartsWith("scsi", StringComparison.Ordinal) ? 0 : 1).ThenBy(k => k, StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var value = config[key]!;
            if (state.DriveFile(value) is not { } file)
            {
                continue;
            }
            var cdrom = value.Contains("media=cdrom", StringComparison.Ordinal);
            if (!key.StartsWith("scsi", StringComparison.Ordinal) && !(cdrom && key.StartsWith("ide", StringComparison.Ordinal)))
            {
                throw PveException.Failed($"{key}: the local Proxmox VE attaches disks as scsiN and cdroms as ideN only");
            }
            drives.Add(new VmDrive(key, file, file.EndsWith(".qcow2", StringComparison.Ordinal) ? "qcow2" : "raw", cdrom));
        }
        return drives;
    }

    /// <summary>The VM's address and network: ipconfig0's static IPv4 (its network, its gw or .1), else a free one of vmbr0.</summary>
    private (string Address, string Network, string Gateway) Lease(PveVm vm)
    {
        var ip = vm.Config["ipconfig0"] is { } ipconfig ? PveVmConfig.PropertyValue(ipconfig, "ip") : null;
        lock (_gate)
        {
            if (ip is not null && ip != "dhcp")
            {
                var (address, mask) = PveCloudInit.SplitIp4(ip);
                var bits = int.Parse(ip[(ip.IndexOf('/', StringComparison.Ordinal) + 1)..], CultureInfo.InvariantCulture);
                var network = Mask(IPAddress.Parse(address), IPAddress.Parse(mask));
                var gateway = PveVmConfig.PropertyValue(vm.Config["ipconfig0"]!, "gw") ?? Add(network, 1).ToString();
                if (_addresses.Any(a => a.Key != vm.Vmid && a.Value == address))
                {
                    throw PveException.Failed($"address {address} of ipconfig0 is already used by another running VM");
                }
                _addresses[vm.Vmid] = address;
                return (address, $"{network}/{bits}", gateway);
            }
            for (var host = 10; host < 250; host++)
            {
                var candidate = $"{Subnet}.{host}";
                if (!_addresses.ContainsValue(candidate))
                {
                    _addresses[vm.Vmid] = candidate;
                    return (candidate, $"{Subnet}.0/24", $"{Subnet}.1");
                }
            }
        }
        throw PveException.Failed($"no free address left on {Bridge} ({Subnet}.0/24)");
    }

    private void Release(long vmid)
    {
        lock (_gate)
        {
            _addresses.Remove(vmid);
        }
    }

    private static IPAddress Mask(IPAddress address, IPAddress mask)
    {
        var a = address.GetAddressBytes();
        var m = mask.GetAddressBytes();
        return new IPAddress([.. a.Select((b, i) => (byte)(b & m[i]))]);
    }

    private static IPAddress Add(IPAddress address, int n)
    {
        var bytes = address.GetAddressBytes();
        var value = ((uint)bytes[0] << 24 | (uint)bytes[1] << 16 | (uint)bytes[2] << 8 | bytes[3]) + (uint)n;
        return new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
    }

    private static int Memory(PveVmConfig config)
    {
        var value = config["memory"];
        var current = value is null ? null : PveVmConfig.ParseProperty(value, "current").Keys.FirstOrDefault(k => k.Key == "current").Value;
        return int.TryParse(current, CultureInfo.InvariantCulture, out var mib) ? mib : 512;
    }

    private static int Cores(PveVmConfig config)
        => (int.TryParse(config["cores"], CultureInfo.InvariantCulture, out var cores) ? cores : 1)
        * (int.TryParse(config["sockets"], CultureInfo.InvariantCulture, out var sockets) ? sockets : 1);
}
