namespace Drover.Images.Build;

/// <summary>
/// Turns a bootstrapped Debian tree into an image root, offline (no chroot, no boot): placeholder hostname, empty
/// machine-id, fstab by label, systemd-networkd DHCP, SSH host keys generated at first boot, root password locked, the
/// agent and its unit, and no apt caches or logs.
/// </summary>
internal static class RootfsCustomizer
{
    public const string HostKeysUnit = """
        [Unit]
        Description=SSH host keys of this instance (first boot, or a disk from another server's snapshot)
        Before=ssh.service

        [Service]
        Type=oneshot
        # Offline: a first-boot marker from another instance (a snapshot of a converged server) goes, with that
        # server's host keys, so that this one never serves them.
        ExecStartPre=-/usr/local/bin/drover-agent --instance-check
        # ed25519 only: an RSA key takes a minute to generate on an emulated CPU, and sshd is told to use only this one.
        ExecStart=/bin/sh -c 'test -e /etc/ssh/ssh_host_ed25519_key || exec /usr/bin/ssh-keygen -q -t ed25519 -N "" -f /etc/ssh/ssh_host_ed25519_key'
        RemainAfterExit=yes

        [Install]
        WantedBy=multi-user.target ssh.service

        """;

    public static async Task CustomizeAsync(string root, DebianBuildOptions options, CancellationToken ct)
    {
        Write(root, "/etc/hostname", options.Hostname + "\n");
        // Empty, not "uninitialized": a new ID is made at boot without systemd's first-boot preset-all, which would
        // re-enable units (machine-recipes §3). The agent keys its run-once on /var/lib/drover/agent.done instead.
        Write(root, "/etc/machine-id", "");
        Delete(root, "/var/lib/dbus/machine-id");
        Write(root, "/etc/fstab", "LABEL=root  /  ext4  defaults,errors=remount-ro  0 1\n");
        Write(root, "/etc/systemd/network/20-wired.network", "[Match]\nName=en* eth*\n\n[Network]\nDHCP=ipv4\n");
        Write(root, "/etc/systemd/system/systemd-networkd-wait-online.service.d/override.conf",
            "[Service]\nExecStart=\nExecStart=/lib/systemd/systemd-networkd-wait-online --any --timeout=20\n");
        foreach (var key in Directory.Exists(Path.Combine(root, "etc/ssh")) ? Directory.GetFiles(Path.Combine(root, "etc/ssh"), "ssh_host_*") : [])
        {
            File.Delete(key);
        }
        Write(root, "/etc/systemd/system/drover-ssh-hostkeys.service", HostKeysUnit);
        Write(root, "/etc/ssh/sshd_config.d/10-drover.conf", "HostKey /etc/ssh/ssh_host_ed25519_key\nPermitRootLogin prohibit-password\nPasswordAuthentication no\n");
        LockRoot(root);
        var agent = Path.Combine(root, "usr/local/bin/drover-agent");
        Directory.CreateDirectory(Path.GetDirectoryName(agent)!);
        File.Copy(options.AgentPath, agent, overwrite: true);
        File.SetUnixFileMode(agent, (UnixFileMode)0b111_101_101);
        Write(root, "/etc/systemd/system/drover-agent.service", options.AgentUnit);
        var units = new List<string> { "systemd-networkd.service", "systemd-networkd-wait-online.service", "drover-ssh-hostkeys.service", "drover-agent.service" };
        if (File.Exists(Path.Combine(root, "lib/systemd/system/systemd-resolved.service")))
        {
            units.Add("systemd-resolved.service");
        }
        await Tool.CheckAsync("customise", "systemctl", ["--root=" + root, "--quiet", "enable", .. units], ct);
        foreach (var extra in options.ExtraFiles)
        {
            var target = Resolve(root, extra.ImagePath);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(extra.Source, target, overwrite: true);
        }
        CleanCaches(root);
    }

    /// <summary>Replaces a password hash of root in /etc/shadow by <c>*</c> (no password login at all).</summary>
    private static void LockRoot(string root)
    {
        var shadow = Path.Combine(root, "etc/shadow");
        if (!File.Exists(shadow))
        {
            return;
        }
        var lines = File.ReadAllLines(shadow).Select(l =>
        {
            var f = l.Split(':');
            if (f.Length > 1 && f[0] == "root" && f[1] is not ("*" or "!" or "!*"))
            {
                f[1] = "*";
            }
            return string.Join(':', f);
        });
        var mode = File.GetUnixFileMode(shadow);
        File.WriteAllLines(shadow, lines);
        File.SetUnixFileMode(shadow, mode);
    }

    private static void CleanCaches(string root)
    {
        foreach (var dir in new[] { "var/cache/apt", "var/lib/apt/lists", "var/log", "var/cache/debconf", "tmp", "var/tmp" })
        {
            var full = Path.Combine(root, dir);
            if (!Directory.Exists(full))
            {
                continue;
            }
            foreach (var file in Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories).ToList())
            {
                var keep = dir == "var/cache/debconf" && !file.EndsWith("-old", StringComparison.Ordinal)
                    || dir == "var/lib/apt/lists" && Path.GetFileName(file) == "lock";
                if (!keep)
                {
                    File.Delete(file);
                }
            }
        }
    }

    private static void Write(string root, string imagePath, string text)
    {
        var path = Resolve(root, imagePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (File.Exists(path) && new FileInfo(path).LinkTarget is not null)
        {
            File.Delete(path);
        }
        File.WriteAllText(path, text);
    }

    private static void Delete(string root, string imagePath)
    {
        var path = Resolve(root, imagePath);
        if (File.Exists(path) || new FileInfo(path).LinkTarget is not null)
        {
            File.Delete(path);
        }
    }

    /// <summary>An absolute image path inside <paramref name="root"/>; refuses <c>..</c> escapes.</summary>
    public static string Resolve(string root, string imagePath)
    {
        if (!imagePath.StartsWith('/'))
        {
            throw new ArgumentException($"'{imagePath}' is not an absolute path inside the image", nameof(imagePath));
        }
        var full = Path.GetFullPath(Path.Combine(root, imagePath.TrimStart('/')));
        var rootFull = Path.GetFullPath(root).TrimEnd('/') + "/";
        return full.StartsWith(rootFull, StringComparison.Ordinal) ? full : throw new ArgumentException($"'{imagePath}' leaves the image root", nameof(imagePath));
    }
}
