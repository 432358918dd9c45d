using System.Globalization;
using Drover.LocalCloud.Metadata;

namespace Drover.LocalCloud.Machines;

/// <summary>QEMU boots of servers whose disk holds data: start, reset, stop, and noticing a guest that powered off.</summary>
internal sealed partial class MachineRuntime
{
    private readonly Dictionary<long, QemuMachine> _qemus = [];
    private readonly Dictionary<long, QemuMachine> _lastQemus = [];

    /// <summary>Where guests' metadata listeners live (set by the app once the state exists).</summary>
    public MetadataServer? Metadata { get; set; }

    /// <summary>How long <c>shutdown</c> waits after the ACPI power button before pulling the plug.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Why servers do not boot under QEMU here (no QEMU installed), or null when they do.</summary>
    public string? BootsDisabled { get; set; }

    /// <summary>Programs and files boots take as not installed (<see cref="LocalCloudOptions.TreatAsMissing"/>).</summary>
    public IReadOnlySet<string> TreatAsMissing { get; set; } = new HashSet<string>();

    /// <summary>Raised (outside any lock) when a guest turned itself off: QEMU exited without being asked to.</summary>
    public event Action<long>? GuestPoweredOff;

    /// <summary>
    /// The directory of a server's serial logs (<c>console.log</c> = ttyS0, on arm ttyAMA0; <c>markers.log</c> = ttyS1, on
    /// arm the virtio port <c>org.drover.markers</c>); kept after QEMU stops.
    /// </summary>
    public string ConsoleDirectory(long serverId) => Path.Combine(Root, "console", string.Create(CultureInfo.InvariantCulture, $"server-{serverId}"));

    /// <summary>The running QEMU of a server, if any.</summary>
    public QemuMachine? QemuOf(long serverId)
    {
        lock (_gate)
        {
            return _qemus.GetValueOrDefault(serverId);
        }
    }

    /// <summary>The most recent QEMU of a server, running or not (null before its first boot or after it was deleted).</summary>
    public QemuMachine? LastQemuOf(long serverId)
    {
        lock (_gate)
        {
            return _lastQemus.GetValueOrDefault(serverId);
        }
    }

    /// <summary>Whether the server's disk exists and holds any data (a system image's empty disk does not boot).</summary>
    public bool HasBootableDisk(long serverId) => File.Exists(DiskPath(serverId)) && SparseFiles.DataBytes(DiskPath(serverId)) > 0;

    /// <summary>
    /// Boots the server under QEMU; a platform this host lacks (no <c>qemu-system-aarch64</c>, no firmware) fails at
    /// once, naming the package to install, before anything is made.
    /// </summary>
    private async Task StartQemuAsync(BootSpec spec, CancellationToken cancellationToken)
    {
        var platform = QemuPlatform.For(spec.Architecture, spec.Firmware);
        if (platform.Problem(TreatAsMissing) is { } problem)
        {
            throw new MachineException($"server {spec.ServerId} cannot boot here ({platform} boots are unavailable): {problem}");
        }
        var metadata = Metadata ?? throw new MachineException("the metadata service is not running");
        var (entry, nsVeth) = NewEntry(spec.ServerId, "qemu");
        var port = metadata.PortFor(spec.ServerId, HostAddress, freeBind: true);
        var machine = await QemuMachine.StartAsync(spec, entry, nsVeth, ConsoleDirectory(spec.ServerId), port, _registry, cancellationToken);
        lock (_gate)
        {
            _qemus[spec.ServerId] = machine;
            _lastQemus[spec.ServerId] = machine;
        }
        _ = WatchAsync(spec.ServerId, machine);
    }

    /// <summary>Stops the server's QEMU (ACPI first when <paramref name="grace"/> is given) and forgets its registry entry.</summary>
    private async Task StopQemuAsync(long serverId, TimeSpan? grace, CancellationToken cancellationToken)
    {
        QemuMachine? machine;
        lock (_gate)
        {
            _qemus.Remove(serverId, out machine);
        }
        if (machine is not null)
        {
            await machine.StopAsync(grace, cancellationToken);
            _registry.Remove(machine.Entry);
        }
    }

    /// <summary>When QEMU exits on its own (the guest powered off): tear its namespace down and report it.</summary>
    private async Task WatchAsync(long serverId, QemuMachine machine)
    {
        await machine.Exited;
        if (machine.Stopping)
        {
            return;
        }
        var forgotten = false;
        try
        {
            await Enqueue(serverId, async ct =>
            {
                lock (_gate)
                {
                    forgotten = _qemus.TryGetValue(serverId, out var current) && current == machine && _qemus.Remove(serverId);
                }
                if (forgotten)
                {
                    await machine.StopAsync(null, ct);
                    _registry.Remove(machine.Entry);
                }
            });
        }
        catch (MachineException)
        {
            // Shutting down, or the teardown failed: the registry still names what is left for the sweep.
        }
        if (forgotten)
        {
            GuestPoweredOff?.Invoke(serverId);
        }
    }
}
