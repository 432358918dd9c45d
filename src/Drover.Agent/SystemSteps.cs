using System.Text.RegularExpressions;

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
            return "no public keys in the metadata";
        }

        fs.EnsureDirectory(AgentPaths.RootSshDir, RootFs.PrivateDir);
        var (content, added) = Agent.AuthorizedKeys.Merge(fs.ReadText(AgentPaths.AuthorizedKeys), keys);
        fs.WriteText(AgentPaths.AuthorizedKeys, content, RootFs.Private);
        return $"{AgentPaths.AuthorizedKeys}: {added} added, {keys.Count - added} already present";
    }

    public static async Task<string> NetworkAsync(RootFs fs, AgentOptions options, HcloudMetadata metadata, TextWriter log, CancellationToken cancellationToken)
    {
        var files = NetworkdFiles.Render(metadata);
        var directory = fs.Path(AgentPaths.NetworkDir);
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
            fs.WriteText($"{AgentPaths.NetworkDir}/{name}", content, RootFs.Public);
        }

        var written = files.Count == 0 ? "no interfaces in the metadata" : string.Join(", ", files.Select(f => f.Name));
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
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return $"{written}; networkctl reload could not run: {e.Message} (not fatal)";
        }
    }

    [GeneratedRegex(@"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")]
    private static partial Regex HostnameRegex();

    [GeneratedRegex(@"^(10-drover-public(-[0-9]+)?|20-drover-private-[0-9]+)\.network$")]
    private static partial Regex OursRegex();
}
