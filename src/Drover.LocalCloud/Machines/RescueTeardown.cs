using System.Text.Json;

namespace Drover.LocalCloud.Machines;

/// <summary>
/// Removes one rescue system's host resources, in order: its sshd (by recorded PID, only if that process's command
/// line still names the rescue directory), every process left in its network namespace, the loop devices over its
/// disk (found by backing file), its veth pair, its namespace and its directory. Safe to repeat; used for graceful
/// stops and for sweeps after a crash alike.
/// </summary>
internal static class RescueTeardown
{
    private static readonly TimeSpan _termGrace = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan _killDeadline = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan _poll = TimeSpan.FromMilliseconds(25);

    public static async Task TearDownAsync(RegistryEntry entry, CancellationToken cancellationToken = default)
    {
        var problems = new List<string>();
        await StopProcessesAsync(entry, problems, cancellationToken);
        foreach (var loop in await LoopDevicesOfAsync(entry.BackingFile, cancellationToken))
        {
            await DetachLoopAsync(loop, entry.BackingFile, problems, cancellationToken);
        }
        await DeleteLinkAsync(entry.HostVeth, problems, cancellationToken);
        if (NamespaceExists(entry.Namespace))
        {
            var netns = await HostCommand.RunAsync("ip", ["netns", "del", entry.Namespace], cancellationToken);
            if (!netns.Ok && NamespaceExists(entry.Namespace))
            {
                problems.Add($"network namespace {entry.Namespace}: 'ip netns del' said: {netns.Message}");
            }
        }
        DeleteDirectory(entry.Marker, problems);
        if (problems.Count > 0)
        {
            throw new MachineException($"server {entry.ServerId}'s {entry.Kind ?? "rescue"} machine ({entry.Namespace}) could not be removed entirely: {string.Join("; ", problems)}");
        }
    }

    /// <summary>Detaches a loop device over <paramref name="backingFile"/>; one that is gone already counts as detached.</summary>
    public static async Task DetachLoopAsync(string loop, string backingFile, List<string> problems, CancellationToken cancellationToken)
    {
        await HostCommand.RunAsync("blockdev", ["--flushbufs", loop], cancellationToken);
        var detach = await HostCommand.RunAsync("losetup", ["-d", loop], cancellationToken);
        if (!detach.Ok && (await LoopDevicesOfAsync(backingFile, cancellationToken)).Contains(loop))
        {
            problems.Add($"loop device {loop} over {backingFile}: 'losetup -d' said: {detach.Message}");
        }
    }

    /// <summary>Deletes a network interface (a veth takes its peer with it); one that is gone already counts as deleted.</summary>
    public static async Task DeleteLinkAsync(string name, List<string> problems, CancellationToken cancellationToken)
    {
        if (!Directory.Exists($"/sys/class/net/{name}"))
        {
            return;
        }
        var link = await HostCommand.RunAsync("ip", ["link", "del", name], cancellationToken);
        if (!link.Ok && Directory.Exists($"/sys/class/net/{name}"))
        {
            problems.Add($"interface {name}: 'ip link del' said: {link.Message}");
        }
    }

    /// <summary>Deletes a directory tree; one that is gone already counts as deleted.</summary>
    public static void DeleteDirectory(string path, List<string> problems)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Gone already (a reboot emptied it, or another sweep was first).
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add($"directory {path}: {e.Message}");
        }
    }

    /// <summary>Deletes a host route (given as <c>ip route</c> arguments) if it still exists.</summary>
    public static async Task DeleteRouteAsync(string route, CancellationToken cancellationToken = default)
    {
        var words = route.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var deleted = await HostCommand.RunAsync("ip", ["route", "del", .. words], cancellationToken);
        if (deleted.Ok)
        {
            return;
        }
        // Gone already (a reboot, or another sweep) is deleted; anything else is a problem worth naming.
        var prefix = words.First(w => w.Contains('.', StringComparison.Ordinal));
        var metric = Array.IndexOf(words, "metric") is var m and >= 0 && m + 1 < words.Length ? $"metric {words[m + 1]}" : null;
        var shown = await HostCommand.RunAsync("ip", ["-4", "route", "show", "table", "main", "exact", prefix], cancellationToken);
        if (shown.Ok && !shown.Stdout.Split('\n').Any(l => l.Trim().Length > 0 && (metric is null || l.Contains(metric, StringComparison.Ordinal))))
        {
            return;
        }
        throw new MachineException($"route '{route}': 'ip route del' said: {deleted.Message}");
    }

    public static bool NamespaceExists(string name) => File.Exists($"/run/netns/{name}");

    /// <summary>Whether <paramref name="pid"/> runs and its command line names <paramref name="marker"/> (a zombie has none).</summary>
    public static bool IsOurs(int pid, string marker)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0').Any(a => a.Contains(marker, StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The loop devices whose backing file is <paramref name="backingFile"/> (also when it was deleted since).</summary>
    public static async Task<IReadOnlyList<string>> LoopDevicesOfAsync(string backingFile, CancellationToken cancellationToken = default)
    {
        var list = await HostCommand.RunAsync("losetup", ["--list", "--json", "--output", "NAME,BACK-FILE"], cancellationToken);
        if (!list.Ok || string.IsNullOrWhiteSpace(list.Stdout))
        {
            return [];
        }
        using var json = JsonDocument.Parse(list.Stdout);
        return [.. json.RootElement.GetProperty("loopdevices").EnumerateArray()
            .Where(d => d.GetProperty("back-file").GetString() is { } back && (back == backingFile || back == backingFile + " (deleted)"))
            .Select(d => d.GetProperty("name").GetString()!)];
    }

    private static async Task StopProcessesAsync(RegistryEntry entry, List<string> problems, CancellationToken cancellationToken)
    {
        var sshd = entry.Pid is { } pid && IsOurs(pid, entry.Marker) ? pid : (int?)null;
        if (sshd is { } first)
        {
            NativeMethods.Kill(first, NativeMethods.SigTerm);
        }
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var inside = await NamespacePidsAsync(entry.Namespace, cancellationToken);
            foreach (var p in inside)
            {
                NativeMethods.Kill(p, NativeMethods.SigKill);
            }
            var sshdAlive = sshd is { } s && IsOurs(s, entry.Marker);
            if (inside.Count == 0 && !sshdAlive)
            {
                return;
            }
            var elapsed = TimeProvider.System.GetElapsedTime(started);
            if (sshdAlive && elapsed > _termGrace)
            {
                NativeMethods.Kill(sshd!.Value, NativeMethods.SigKill);
            }
            if (elapsed > _killDeadline)
            {
                problems.Add($"processes still running after {_killDeadline.TotalSeconds:0} s: {string.Join(' ', inside.Concat(sshdAlive ? [sshd!.Value] : []))}");
                return;
            }
            await Task.Delay(_poll, TimeProvider.System, cancellationToken);
        }
    }

    private static async Task<IReadOnlyList<int>> NamespacePidsAsync(string name, CancellationToken cancellationToken)
    {
        if (!NamespaceExists(name))
        {
            return [];
        }
        var result = await HostCommand.RunAsync("ip", ["netns", "pids", name], cancellationToken);
        return result.Ok
            ? [.. result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(p => int.TryParse(p, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : 0)
                .Where(p => p > 0 && p != Environment.ProcessId)]
            : [];
    }
}
