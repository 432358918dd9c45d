namespace Drover.LocalCloud.Machines;

/// <summary>
/// QEMU boots of the local Proxmox VE's VMs, on the same runtime as the servers' (registry, namespaces, sweeps,
/// shutdown): a VM's machine ID is <see cref="VmMachineOffset"/> + its VMID, far above any server ID.
/// </summary>
internal sealed partial class MachineRuntime
{
    public const long VmMachineOffset = 1_000_000_000_000;

    public async Task<QemuMachine> StartVmAsync(BootSpec spec, string disk, CancellationToken cancellationToken)
    {
        if (BootsDisabled is { } why)
        {
            throw new MachineException(why);
        }
        var platform = QemuPlatform.For(spec.Architecture, spec.Firmware);
        if (platform.Problem(TreatAsMissing) is { } problem)
        {
            throw new MachineException($"{platform} boots are unavailable here: {problem}");
        }
        var (generic, nsVeth) = NewEntry(spec.ServerId, "qemu");
        var entry = new RegistryEntry
        {
            ServerId = generic.ServerId,
            Kind = generic.Kind,
            Namespace = generic.Namespace,
            HostVeth = generic.HostVeth,
            BackingFile = disk,
            Marker = generic.Marker,
        };
        var machine = await QemuMachine.StartAsync(spec, entry, nsVeth, VmConsoleDirectory(spec.ServerId - VmMachineOffset), 0, _registry, cancellationToken);
        lock (_gate)
        {
            _qemus[spec.ServerId] = machine;
            _lastQemus[spec.ServerId] = machine;
        }
        return machine;
    }

    /// <summary>Stops a VM's QEMU (ACPI first when <paramref name="grace"/> is given) and removes its namespace and registry entry.</summary>
    public Task StopVmAsync(long machineId, TimeSpan? grace, CancellationToken cancellationToken) => StopQemuAsync(machineId, grace, cancellationToken);

    /// <summary>The console directory of a VM's boot (<c>console.log</c>, <c>markers.log</c>).</summary>
    public string VmConsoleDirectory(long vmid) => Path.Combine(Root, "console", $"pve-vm-{vmid}");
}
