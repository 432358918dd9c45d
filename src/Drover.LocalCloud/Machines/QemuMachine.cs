using System.Diagnostics;
using System.Globalization;
using Drover.Core.Processes;
using Drover.Hcloud.Contracts;

namespace Drover.LocalCloud.Machines;

/// <summary>
/// One server booted from its disk: QEMU (<c>qemu-system-x86_64</c> with SeaBIOS or OVMF, <c>qemu-system-aarch64</c>'s
/// <c>virt</c> machine with AAVMF; see <see cref="QemuPlatform"/>) running inside the server's network namespace (see
/// <see cref="MachineNetwork"/>), user networking with <c>restrict=on</c>, the metadata service forwarded to
/// 169.254.169.254:80 (<c>guestfwd ... cmd:nc</c>, one nc per connection), the server's IPv4:22 forwarded to the guest's
/// port 22, the disk on virtio-scsi (the guest sees <c>/dev/sda</c>, as on Hetzner), serial ports to files, and QMP on
/// a Unix socket for ACPI power-down and reset. The namespace is in the registry before it exists; QEMU's PID right
/// after it starts (its command line names the machine's directory, so a sweep recognises it).
/// </summary>
internal sealed class QemuMachine
{
    /// <summary>
    /// The arm guests' CPU: Hetzner's CAX servers are Ampere Altra, whose cores are Neoverse N1. Under TCG it is also the
    /// fastest choice: N1 (ARMv8.2) has no pointer authentication, which <c>-cpu max</c> emulates at great cost.
    /// </summary>
    public const string ArmCpu = "neoverse-n1";

    /// <summary>The name of the arm guests' markers port (<c>/dev/virtio-ports/org.drover.markers</c>): the virt machine has one UART only.</summary>
    public const string MarkersPort = "org.drover.markers";

    private static readonly TimeSpan _readyTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private volatile bool _stopping;

    private QemuMachine(RegistryEntry entry, QemuPlatform platform, string? firmwareVars, Process process)
    {
        Entry = entry;
        Platform = platform;
        FirmwareVars = firmwareVars;
        _process = process;
        Exited = process.WaitForExitAsync(CancellationToken.None);
    }

    public RegistryEntry Entry { get; }

    /// <summary>The emulator and firmware it runs.</summary>
    public QemuPlatform Platform { get; }

    /// <summary>The server's UEFI variable store (next to its disk; it outlives this boot), null for SeaBIOS.</summary>
    public string? FirmwareVars { get; }

    /// <summary>Completes when QEMU has exited, for whatever reason.</summary>
    public Task Exited { get; }

    /// <summary>Set once the runtime stops it on purpose: an exit after that is no guest power-off.</summary>
    public bool Stopping => _stopping;

    /// <summary>The QMP socket, in the machine's own directory (it goes with the directory).</summary>
    public string QmpSocket => Path.Combine(Entry.Marker, Qmp.SocketName);

    /// <summary>
    /// Starts QEMU for <paramref name="spec"/> and returns once it answers on QMP (the guest is then booting, not booted).
    /// <paramref name="consoleDirectory"/> receives <c>console.log</c> (ttyS0, or the PL011 on arm) and <c>markers.log</c>
    /// (ttyS1 on x86, the virtio port <see cref="MarkersPort"/> on arm). The runtime has checked that the platform's
    /// emulator and firmware are installed.
    /// </summary>
    public static async Task<QemuMachine> StartAsync(BootSpec spec, RegistryEntry entry, string nsVeth, string consoleDirectory, int metadataPort,
        MachineRegistry registry, CancellationToken cancellationToken)
    {
        var platform = QemuPlatform.For(spec.Architecture, spec.Firmware);
        var address = spec.Address ?? throw new MachineException($"server {spec.ServerId} has no public IPv4, so its boot can reach neither SSH nor the metadata service");
        var qemu = HostCommand.Find(platform.Emulator) ?? throw new MachineException(platform.Problem() ?? $"{platform.Emulator} not found");
        var socat = HostCommand.Find("socat") ?? throw new MachineException("socat not found (bash scripts/setup installs it): it carries SSH from the server's address to QEMU");
        var nc = HostCommand.Find("nc") ?? "nc";
        await MachineNetwork.RefuseRoutedAddressAsync(address, "a QEMU boot", cancellationToken);
        registry.Put(entry);
        Process? process = null;
        try
        {
            Directory.CreateDirectory(entry.Marker);
            Directory.CreateDirectory(consoleDirectory);
            if (!File.Exists(entry.BackingFile))
            {
                SparseFiles.CreateEmpty(entry.BackingFile, spec.DiskBytes);
            }
            var vars = platform.Uefi?.VarsFileOf(entry.BackingFile);
            if (platform.Uefi is { } uefi && !File.Exists(vars))
            {
                // The server's own NVRAM, from the firmware's empty template (sparse: AAVMF's is 64 MiB of zeros).
                SparseFiles.Copy(uefi.VarsTemplate, vars!, 0, sink: null, cancellationToken);
            }
            await MachineNetwork.ConnectAsync(entry, nsVeth, address, cancellationToken);
            // QEMU runs in the machine's directory: it binds the QMP socket by its short relative name there.
            // Inside the namespace: socat carries ADDRESS:22 to QEMU's forward on the namespace's own 127.0.0.1:22, then
            // QEMU replaces the shell (same PID). Slirp shows a forwarded connection from a loopback peer to the guest as
            // coming from its host address (on-link); from any other peer it keeps that peer's address, which the guest
            // (no default route under restrict=on) could not answer. socat dies with the namespace's other processes.
            var inner = "\"$0\" TCP-LISTEN:22,bind=\"$1\",fork,reuseaddr TCP:127.0.0.1:22 </dev/null & shift; exec \"$@\"";
            var files = new QemuFiles(entry.BackingFile, vars, entry.Marker, Qmp.SocketName, consoleDirectory, metadataPort);
            process = ProcessRunner.Start("/bin/sh", ["-c", "exec \"$@\" >\"$0\" 2>&1 </dev/null", Path.Combine(entry.Marker, "qemu.out"),
                HostCommand.Find("ip")!, "netns", "exec", entry.Namespace, "/bin/sh", "-c", inner, socat, address,
                qemu, .. Arguments(spec, platform, files, platform.Accelerator, nc)],
                workingDirectory: entry.Marker);
            entry.Pid = process.Id;
            registry.Put(entry);
            var machine = new QemuMachine(entry, platform, vars, process);
            await machine.WaitUntilReadyAsync(cancellationToken);
            return machine;
        }
        catch (Exception e)
        {
            var output = ReadOutput(entry);
            process?.Dispose();
            try
            {
                await RescueTeardown.TearDownAsync(entry, CancellationToken.None);
                registry.Remove(entry);
            }
            catch (MachineException cleanup)
            {
                throw new MachineException($"{e.Message}; cleaning up failed too: {cleanup.Message}", e);
            }
            var what = spec.Vm is { } vm ? $"VM {vm.Vmid}" : $"server {spec.ServerId}";
            throw new MachineException($"booting {what} under QEMU failed: {e.Message}{output}", e);
        }
    }

    /// <summary>
    /// The command line after the program name. Both architectures: the disk on virtio-scsi, virtio-net with user
    /// networking (<c>restrict=on</c>, guestfwd to the metadata service, hostfwd for SSH), Hetzner's SMBIOS system
    /// (serial = server ID), virtio-rng, QMP. x86: QEMU's default pc machine, SeaBIOS or OVMF from pflash, ttyS0 and ttyS1.
    /// arm: the virt machine (GICv3) with a Neoverse N1, AAVMF from pflash, the PL011 (ttyAMA0) and a virtio port for
    /// the markers.
    /// </summary>
    internal static IReadOnlyList<string> Arguments(BootSpec spec, QemuPlatform platform, QemuFiles files, string accelerator, string nc)
    {
        if (spec.Vm is { } vm)
        {
            return VmArguments(spec, vm, platform, files, accelerator);
        }
        var id = spec.ServerId.ToString(CultureInfo.InvariantCulture);
        var arm = platform.Architecture == Architecture.Arm;
        var netdev = "user,id=n0,restrict=on,net=169.254.0.0/16,host=169.254.0.2,dhcpstart=169.254.0.15"
            + $",guestfwd=tcp:169.254.169.254:80-cmd:{nc} {MachineRuntime.HostAddress} {files.MetadataPort.ToString(CultureInfo.InvariantCulture)}"
            + ",hostfwd=tcp:127.0.0.1:22-:22";
        var console = Path.Combine(files.ConsoleDirectory, "console.log");
        var markers = Path.Combine(files.ConsoleDirectory, "markers.log");
        List<string> arguments = ["-name", $"drover-server-{id}", "-nodefaults"];
        if (arm)
        {
            arguments.AddRange(["-machine", "virt,gic-version=3", "-cpu", accelerator == "kvm" ? "host" : ArmCpu]);
        }
        arguments.AddRange(["-accel", accelerator, "-m", "1024", "-smp", "2"]);
        if (platform.Uefi is { } uefi)
        {
            var vars = files.FirmwareVars ?? throw new MachineException($"{uefi.Name} needs the server's variable store");
            arguments.AddRange(
            [
                "-drive", $"if=pflash,format=raw,unit=0,readonly=on,file={uefi.Code}",
                "-drive", $"if=pflash,format=raw,unit=1,file={vars}",
                // Without this AAVMF waits 5 s for a key that opens its boot menu (QEMU's etc/boot-menu-wait), which nobody
                // can press (OVMF does not wait here; the option changes nothing for it).
                "-boot", "menu=on,splash-time=0",
            ]);
        }
        arguments.AddRange(
        [
            "-smbios", $"type=1,manufacturer=Hetzner,product=vServer,serial={id}",
            "-device", "virtio-scsi-pci,id=scsi0",
            "-drive", $"file={files.Disk},format=raw,if=none,id=disk0,cache=writeback,discard=unmap",
            "-device", "scsi-hd,drive=disk0,bus=scsi0.0,bootindex=0",
            "-netdev", netdev,
            "-device", $"virtio-net-pci,netdev=n0,mac={spec.MacAddress}",
            // Entropy from the host: without it an emulated guest can wait long for its random pool (SSH host keys).
            "-object", "rng-random,filename=/dev/urandom,id=rng0",
            "-device", "virtio-rng-pci,rng=rng0",
            "-display", "none",
        ]);
        if (arm)
        {
            arguments.AddRange(
            [
                "-serial", $"file:{console}",
                "-device", "virtio-serial-pci,id=vser0",
                "-chardev", $"file,id=markers,path={markers}",
                "-device", $"virtserialport,bus=vser0.0,chardev=markers,name={MarkersPort}",
            ]);
        }
        else
        {
            arguments.AddRange(["-vga", "none", "-serial", $"file:{console}", "-serial", $"file:{markers}"]);
        }
        arguments.AddRange(["-qmp", $"unix:{files.QmpSocket},server=on,wait=off", "-pidfile", Path.Combine(files.Directory, "qemu.pid")]);
        return arguments;
    }

    /// <summary>
    /// A Proxmox VM's command line (x86): QEMU's pc machine with SeaBIOS or OVMF, user networking with <c>restrict=on</c>
    /// on the VM's own /24 (gateway as QEMU's host address, the VM's address as the first DHCP lease, no metadata
    /// service) forwarding 127.0.0.1:22 to the guest (socat brings the VM's address there), disks on virtio-scsi as
    /// qemu-server attaches them (<c>scsi-hd</c>, SCSI id = N), cdroms (the cloud-init drive) on IDE, the guest agent's
    /// virtio-serial channel <c>org.qemu.guest_agent.0</c>, serial ports to files, QMP.
    /// </summary>
    private static List<string> VmArguments(BootSpec spec, VmBoot vm, QemuPlatform platform, QemuFiles files, string accelerator)
    {
        var netdev = $"user,id=net0,restrict=on,net={vm.Network},host={vm.Gateway},dhcpstart={spec.Address},hostfwd=tcp:127.0.0.1:22-:22";
        List<string> arguments = ["-name", $"drover-vm-{vm.Vmid.ToString(CultureInfo.InvariantCulture)}", "-nodefaults",
            "-accel", accelerator, "-m", vm.MemoryMiB.ToString(CultureInfo.InvariantCulture), "-smp", vm.Cores.ToString(CultureInfo.InvariantCulture)];
        if (platform.Uefi is { } uefi)
        {
            var vars = files.FirmwareVars ?? throw new MachineException($"{uefi.Name} needs the VM's variable store");
            arguments.AddRange(["-drive", $"if=pflash,format=raw,unit=0,readonly=on,file={uefi.Code}", "-drive", $"if=pflash,format=raw,unit=1,file={vars}"]);
        }
        arguments.AddRange(["-device", "virtio-scsi-pci,id=scsihw0"]);
        var boot = 0;
        foreach (var drive in vm.Drives)
        {
            var index = int.Parse(string.Concat(drive.Key.SkipWhile(c => !char.IsAsciiDigit(c))), CultureInfo.InvariantCulture);
            var id = $"drive-{drive.Key}";
            if (drive.Cdrom)
            {
                arguments.AddRange(["-drive", $"file={drive.File},format={drive.Format},if=none,id={id},media=cdrom,readonly=on",
                    "-device", $"ide-cd,bus=ide.{index / 2},unit={index % 2},drive={id},id={drive.Key}"]);
            }
            else
            {
                var bootIndex = boot == 0 ? ",bootindex=100" : "";
                boot++;
                arguments.AddRange(["-drive", $"file={drive.File},format={drive.Format},if=none,id={id},cache=writeback,discard=unmap",
                    "-device", $"scsi-hd,bus=scsihw0.0,channel=0,scsi-id={index},lun=0,drive={id},id={drive.Key}{bootIndex}"]);
            }
        }
        arguments.AddRange(
        [
            "-netdev", netdev,
            "-device", $"virtio-net-pci,netdev=net0,mac={spec.MacAddress},id=net0",
            "-object", "rng-random,filename=/dev/urandom,id=rng0",
            "-device", "virtio-rng-pci,rng=rng0",
            "-chardev", $"socket,path={GuestAgent.SocketName},server=on,wait=off,id=qga0",
            "-device", "virtio-serial,id=qgaserial0",
            "-device", "virtserialport,chardev=qga0,name=org.qemu.guest_agent.0",
            "-display", "none", "-vga", "none",
            "-serial", $"file:{Path.Combine(files.ConsoleDirectory, "console.log")}",
            "-serial", $"file:{Path.Combine(files.ConsoleDirectory, "markers.log")}",
            "-qmp", $"unix:{files.QmpSocket},server=on,wait=off", "-pidfile", Path.Combine(files.Directory, "qemu.pid"),
        ]);
        return arguments;
    }

    /// <summary>ACPI power button (the guest decides what to do).</summary>
    public Task PowerDownAsync(CancellationToken cancellationToken) => Qmp.ExecuteAsync(Entry.Marker, "system_powerdown", cancellationToken);

    /// <summary>Hard reset of the guest; QEMU keeps running.</summary>
    public Task ResetAsync(CancellationToken cancellationToken) => Qmp.ExecuteAsync(Entry.Marker, "system_reset", cancellationToken);

    /// <summary>
    /// Stops it: with <paramref name="grace"/>, ACPI power-down first and up to that long for the guest to turn off;
    /// then QEMU by its PID (SIGTERM, then SIGKILL), everything left in the namespace, the veth pair and the namespace.
    /// </summary>
    public async Task StopAsync(TimeSpan? grace, CancellationToken cancellationToken)
    {
        _stopping = true;
        if (grace is { } wait && !Exited.IsCompleted)
        {
            try
            {
                await PowerDownAsync(cancellationToken);
                await Exited.WaitAsync(wait, TimeProvider.System, cancellationToken);
            }
            catch (Exception e) when (e is MachineException or TimeoutException)
            {
                // The guest ignored the power button (or QMP was gone): pull the plug below.
            }
        }
        await RescueTeardown.TearDownAsync(Entry, cancellationToken);
        _process.Dispose();
    }

    /// <summary>Polls QMP until QEMU answers, QEMU exits, or the deadline passes.</summary>
    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            if (Exited.IsCompleted)
            {
                if (_process.ExitCode == 0)
                {
                    // The guest booted and powered itself off before QMP was polled: a boot all the same; the
                    // watcher turns the server off.
                    return;
                }
                throw new MachineException($"{Platform.Emulator} exited with code {_process.ExitCode} while starting");
            }
            if (File.Exists(QmpSocket))
            {
                try
                {
                    await Qmp.ExecuteAsync(Entry.Marker, "query-status", cancellationToken);
                    return;
                }
                catch (MachineException) when (Exited.IsCompleted || TimeProvider.System.GetElapsedTime(started) < _readyTimeout)
                {
                    // Not answering yet, or QEMU exited meanwhile (the check above says how).
                }
            }
            if (TimeProvider.System.GetElapsedTime(started) > _readyTimeout)
            {
                throw new MachineException($"QEMU did not answer on QMP within {_readyTimeout.TotalSeconds:0} s");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System, cancellationToken);
        }
    }

    private static string ReadOutput(RegistryEntry entry)
    {
        var file = Path.Combine(entry.Marker, "qemu.out");
        var text = File.Exists(file) ? File.ReadAllText(file).Trim() : "";
        return text.Length == 0 ? "" : $"\n--- qemu.out ---\n{(text.Length > 2000 ? text[^2000..] : text)}";
    }
}
