using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Drover.Core.Processes;

namespace Drover.LocalCloud.Machines;

/// <summary>
/// One running rescue system: a network namespace holding the server's IPv4 (reached from the host over a veth pair
/// and a <c>/32</c> route), a loop device over the server's disk, and sshd on port 22 in a private mount namespace whose
/// <c>/run</c>, <c>/dev</c> and root's home are fresh tmpfs mounts (<c>/dev/sda</c> = the loop device; no host dotfiles). Every resource is recorded
/// in the registry before it is created.
/// </summary>
internal sealed class RescueSystem
{
    private static readonly string[] _logFiles = ["rescue.out", "sshd.log"];
    private static readonly TimeSpan _readyTimeout = TimeSpan.FromSeconds(30);

    private RescueSystem(RegistryEntry entry, string address)
    {
        Entry = entry;
        Address = address;
    }

    public RegistryEntry Entry { get; }
    public string Address { get; }

    /// <summary>Starts a rescue system and returns once sshd accepts connections on ADDRESS:22 from the host.</summary>
    public static async Task<RescueSystem> StartAsync(RescueSpec spec, RegistryEntry entry, string nsVeth, MachineRegistry registry, CancellationToken cancellationToken)
    {
        var address = spec.Address ?? throw new MachineException($"server {spec.ServerId} has no public IPv4, so its rescue system cannot be reached");
        await MachineNetwork.RefuseRoutedAddressAsync(address, "a rescue system", cancellationToken);
        registry.Put(entry);
        var rescue = new RescueSystem(entry, address);
        try
        {
            await rescue.StartCoreAsync(spec, nsVeth, registry, cancellationToken);
            return rescue;
        }
        catch (Exception e)
        {
            var log = rescue.ReadLogs();
            try
            {
                await rescue.StopAsync(CancellationToken.None);
                registry.Remove(entry);
            }
            catch (MachineException cleanup)
            {
                throw new MachineException($"{e.Message}; cleaning up failed too: {cleanup.Message}", e);
            }
            throw e is MachineException && log.Length == 0 ? e : new MachineException($"starting the rescue system of server {spec.ServerId} failed: {e.Message}{log}", e);
        }
    }

    /// <summary>Stops it: sshd, everything in the namespace, the loop device, the veth pair, the namespace.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => RescueTeardown.TearDownAsync(Entry, cancellationToken);

    private async Task StartCoreAsync(RescueSpec spec, string nsVeth, MachineRegistry registry, CancellationToken cancellationToken)
    {
        var dir = Entry.Marker;
        Directory.CreateDirectory(dir);
        var hostKey = Path.Combine(dir, "ssh_host_ed25519_key");
        await HostCommand.CheckAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", $"drover-rescue-{spec.ServerId}", "-f", hostKey], cancellationToken);
        var authorizedKeys = Path.Combine(dir, "authorized_keys");
        await File.WriteAllTextAsync(authorizedKeys, string.Concat(spec.AuthorizedKeys.Select(k => k.Trim() + "\n")), cancellationToken);
        // Sessions get TMPDIR inside this folder: what a killed session leaves there goes when the rescue stops.
        Directory.CreateDirectory(Path.Combine(dir, "tmp"));
        var config = Path.Combine(dir, "sshd_config");
        await File.WriteAllTextAsync(config, SshdConfig(Address, hostKey, authorizedKeys, dir), cancellationToken);
        var script = Path.Combine(dir, "rescue.sh");
        await File.WriteAllTextAsync(script, RescueScript, cancellationToken);

        var ns = Entry.Namespace;
        await MachineNetwork.ConnectAsync(Entry, nsVeth, Address, cancellationToken);

        if (!File.Exists(Entry.BackingFile))
        {
            SparseFiles.CreateEmpty(Entry.BackingFile, spec.DiskBytes);
        }
        Entry.LoopDevice = (await HostCommand.CheckAsync("losetup", ["--find", "--show", Entry.BackingFile], cancellationToken)).Trim();
        registry.Put(Entry);

        using var process = ProcessRunner.Start("/bin/sh", ["-c", "exec \"$@\" >\"$0\" 2>&1 </dev/null", Path.Combine(dir, "rescue.out"),
            HostCommand.Find("ip")!, "netns", "exec", ns, HostCommand.Find("unshare")!, "--mount", "--propagation", "private",
            "/bin/bash", script, Entry.LoopDevice, config, Path.Combine(dir, "sshd.log")]);
        Entry.Pid = process.Id;
        registry.Put(Entry);
        await WaitUntilListeningAsync(process, cancellationToken);
    }

    /// <summary>Polls ADDRESS:22 from the host until it accepts, the process ends, or the deadline passes.</summary>
    private async Task WaitUntilListeningAsync(Process process, CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        var endpoint = new IPEndPoint(IPAddress.Parse(Address), 22);
        while (true)
        {
            using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(TimeSpan.FromMilliseconds(500));
                try
                {
                    await probe.ConnectAsync(endpoint, attempt.Token);
                    return;
                }
                catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    // Not listening yet.
                }
            }
            if (process.HasExited)
            {
                throw new MachineException($"sshd exited with code {process.ExitCode} before listening on {Address}:22");
            }
            if (TimeProvider.System.GetElapsedTime(started) > _readyTimeout)
            {
                throw new MachineException($"sshd did not listen on {Address}:22 within {_readyTimeout.TotalSeconds:0} s");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System, cancellationToken);
        }
    }

    private string ReadLogs()
    {
        var parts = _logFiles
            .Select(f => Path.Combine(Entry.Marker, f))
            .Where(File.Exists)
            .Select(f => (Name: Path.GetFileName(f), Text: File.ReadAllText(f).Trim()))
            .Where(p => p.Text.Length > 0)
            .Select(p => $"\n--- {p.Name} ---\n{(p.Text.Length > 2000 ? p.Text[^2000..] : p.Text)}");
        return string.Concat(parts);
    }

    private static string SshdConfig(string address, string hostKey, string authorizedKeys, string dir) => $"""
        # Rescue system of the Drover local cloud (generated; removed when the rescue system stops).
        Port 22
        ListenAddress {address}
        HostKey {hostKey}
        AuthorizedKeysFile {authorizedKeys}
        PidFile {Path.Combine(dir, "sshd.pid")}
        SetEnv TMPDIR={Path.Combine(dir, "tmp")}
        PermitRootLogin prohibit-password
        PubkeyAuthentication yes
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        UsePAM no
        StrictModes no
        UseDNS no
        PrintMotd no
        X11Forwarding no
        AllowUsers root
        Subsystem sftp internal-sftp

        """;

    /// <summary>Runs inside the new mount namespace: private /run and /dev, /dev/sda = the loop device, then sshd.</summary>
    private const string RescueScript = """
        #!/bin/bash
        # Rescue system of the Drover local cloud: $1 = loop device, $2 = sshd_config, $3 = sshd log.
        set -euo pipefail
        loop=$1 config=$2 log=$3
        major=$((0x$(stat -c %t "$loop"))) minor=$((0x$(stat -c %T "$loop")))
        mount -t tmpfs -o mode=755,size=1M drover-run /run
        mkdir -m 755 /run/sshd
        # A root home of its own, as a real rescue system has: sessions must not run the host user's ~/.bashrc (bash
        # reads it even for 'ssh host command'), which can be slow, take locks (pyenv rehash) or print to stdout.
        home=$(getent passwd root | cut -d: -f6)
        # The rescue system's own directory (config, host key, log) may lie under that home (a local cloud whose state is
        # in root's ~/.local/share): keep it visible through the new home, at the same path.
        dir=$(dirname "$config")
        mkdir -m 700 /run/drover-rescue
        mount --bind "$dir" /run/drover-rescue
        mount -t tmpfs -o mode=700,size=16M drover-root "${home:-/root}"
        if [ -d "$dir" ]; then
          umount /run/drover-rescue
        else
          mkdir -p "$dir"
          mount --move /run/drover-rescue "$dir"
        fi
        mount -t tmpfs -o mode=755,size=1M drover-dev /dev
        mknod -m 666 /dev/null c 1 3
        mknod -m 666 /dev/zero c 1 5
        mknod -m 666 /dev/full c 1 7
        mknod -m 666 /dev/random c 1 8
        mknod -m 666 /dev/urandom c 1 9
        mknod -m 666 /dev/tty c 5 0
        mkdir /dev/pts
        mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
        ln -s pts/ptmx /dev/ptmx
        ln -s /proc/self/fd /dev/fd
        ln -s /proc/self/fd/0 /dev/stdin
        ln -s /proc/self/fd/1 /dev/stdout
        ln -s /proc/self/fd/2 /dev/stderr
        mknod -m 660 /dev/sda b "$major" "$minor"
        exec /usr/sbin/sshd -D -f "$config" -E "$log"
        """;
}
