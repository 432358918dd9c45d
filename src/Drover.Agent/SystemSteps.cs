using System.Text.RegularExpressions;
using Drover.Core.Processes;

namespace Drover.Agent;

/// <summary>The steps that change the system: hostname, root's keys, systemd-networkd. Each returns its log detail.</summary>
internal static partial class SystemSteps
{
    public static string Hostname(RootFs fs, AgentOptions options, string hostname)
    {
        if (!HostnameRegex().IsMatch(hostname))
        {
            throw new AgentException($"hostname '{hostname}' is not a valid host name");
        }

        fs.WriteText(AgentPaths.Hostname, hostname + "\n", RootFs.Public);
        fs.WriteText(AgentPaths.Hosts, HostsFile.Update(fs.ReadText(AgentPaths.Hosts), hostname), RootFs.Public);
        if (options.IsLiveSystem)
        {
            NativeMethods.SetHostname(hostname);
            return $"{hostname}: {AgentPaths.Hostname}, {AgentPaths.Hosts}, sethostname";
        }

        return $"{hostname}: {AgentPaths.Hostname}, {AgentPaths.Hosts}; would call sethostname({hostname}) (root is not /)";
    }

    public static string AuthorizedKeys(RootFs fs, IReadOnlyList<string> keys)
    {
        if (keys.Count == 0)
        {
            return "no public keys";
        }

        fs.EnsureDirectory(AgentPaths.RootSshDir, RootFs.PrivateDir);
        var (content, added) = Agent.AuthorizedKeys.Merge(fs.ReadText(AgentPaths.AuthorizedKeys), keys);
        fs.WriteText(AgentPaths.AuthorizedKeys, content, RootFs.Private);
        return $"{AgentPaths.AuthorizedKeys}: {added} added, {keys.Count - added} already present";
    }

    public static async Task<string> NetworkAsync(RootFs fs, AgentOptions options, List<(string Name, string Content)> files, TextWriter log, CancellationToken cancellationToken)
    {
        var networkDirectory = options.NetworkDirectory;
        var directory = fs.Path(networkDirectory);
        if (Directory.Exists(directory))
        {
            // A forced re-run replaces what an earlier run wrote (a detached network must not stay configured).
            foreach (var stale in Directory.EnumerateFiles(directory, "*-drover-*.network")
                .Where(f => !files.Any(n => n.Name == Path.GetFileName(f)) && OursRegex().IsMatch(Path.GetFileName(f))))
            {
                File.Delete(stale);
            }
        }

        foreach (var (name, content) in files)
        {
            fs.WriteText($"{networkDirectory.TrimEnd('/')}/{name}", content, RootFs.Public);
        }

        var written = files.Count == 0 ? "no interfaces in the network configuration" : $"{string.Join(", ", files.Select(f => f.Name))} in {networkDirectory}";
        if (files.Count == 0)
        {
            return written;
        }

        if (!options.IsLiveSystem)
        {
            return $"{written}; would run networkctl reload (root is not /)";
        }

        if (!Directory.Exists(AgentPaths.SystemdRunning))
        {
            return $"{written}; systemd is not running, networkctl reload skipped";
        }

        try
        {
            var code = await ShellCommand.RunAsync("networkctl", ["reload"], AgentRunner.Prefix + "networkctl| ", log, null, "/", cancellationToken);
            return code == 0 ? $"{written}; networkctl reload" : $"{written}; networkctl reload failed with exit code {code} (not fatal)";
        }
        catch (ProgramNotFoundException e)
        {
            return $"{written}; networkctl reload could not run: {e.Message} (not fatal)";
        }
    }

    /// <summary>
    /// A new instance from a snapshot must not share the old server's SSH host keys: every <c>/etc/ssh/ssh_host_*</c>
    /// goes, a fresh ed25519 key is generated (beside, then renamed in, so there is never no key), and on the live
    /// system sshd is restarted to load it (running sessions stay).
    /// </summary>
    public static async Task<string> RenewHostKeysAsync(RootFs fs, AgentOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        var directory = fs.Path(AgentPaths.SshDir);
        Directory.CreateDirectory(directory);
        var key = fs.Path(AgentPaths.SshHostEd25519Key);
        var fresh = key + ".drover-new";
        File.Delete(fresh);
        File.Delete(fresh + ".pub");
        int code;
        try
        {
            code = await ShellCommand.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", fresh], AgentRunner.Prefix + "ssh-keygen| ", log, null, "/", cancellationToken);
        }
        catch (ProgramNotFoundException e)
        {
            throw new AgentException($"ssh-keygen could not run: {e.Message}", e);
        }
        if (code != 0)
        {
            throw new AgentException($"ssh-keygen exited with {code}");
        }
        var old = Directory.EnumerateFiles(directory, "ssh_host_*").Where(f => !f.StartsWith(fresh, StringComparison.Ordinal)).ToList();
        foreach (var file in old)
        {
            File.Delete(file);
        }
        File.Move(fresh, key);
        File.Move(fresh + ".pub", key + ".pub");
        var done = $"{old.Count} old host key file(s) removed, new {AgentPaths.SshHostEd25519Key}";
        if (!options.IsLiveSystem || !Directory.Exists(AgentPaths.SystemdRunning))
        {
            return $"{done}; would restart ssh.service (root is not / or systemd is not running)";
        }
        try
        {
            var restart = await ShellCommand.RunAsync("systemctl", ["try-restart", "ssh.service"], AgentRunner.Prefix + "systemctl| ", log, null, "/", cancellationToken);
            return restart == 0 ? $"{done}; ssh.service restarted" : $"{done}; systemctl try-restart ssh.service exited with {restart} (not fatal)";
        }
        catch (ProgramNotFoundException e)
        {
            return $"{done}; systemctl could not run: {e.Message} (not fatal)";
        }
    }

    [GeneratedRegex(@"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")]
    private static partial Regex HostnameRegex();

    [GeneratedRegex(@"^(10-drover-public(-[0-9]+)?|10-drover-nocloud-[0-9]+|20-drover-private-[0-9]+)\.network$")]
    private static partial Regex OursRegex();
}
