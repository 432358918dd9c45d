using System.Text.Json;

namespace Drover.LocalCloud.Machines;

/// <summary>What a sweep removed, and what it could not remove (each naming the thing and why).</summary>
public sealed record SweepReport(int Removed, IReadOnlyList<string> Problems)
{
    public static readonly SweepReport Nothing = new(0, []);

    public bool Clean => Problems.Count == 0;
}

/// <summary>
/// Removes what a local cloud that is no longer running left on the host: used at start-up, by <c>drover local
/// down</c> after a crash, by reset, and for abandoned in-memory instances. It first works through the cloud's registry
/// (<c>machines/registry.json</c>), then finds by name what no registry lists (<see cref="MachineNames"/>): network
/// namespaces and veths with the cloud's prefix, processes whose command line names the cloud's machine directories,
/// loop devices over its files, its address-block route. Something already gone counts as removed; it never touches
/// anything outside the cloud's own names and directories.
/// </summary>
public static class MachineSweeper
{
    /// <summary>The registry of what a local cloud with this state directory has on the host.</summary>
    public static string RegistryPath(string stateDirectory) => Path.Combine(stateDirectory, MachineRuntime.DirectoryName, MachineRegistry.FileName);

    /// <summary>Sweeps the machines of a local cloud's state directory, unless they belong to a running process.</summary>
    public static Task<SweepReport> SweepStateDirectoryAsync(string stateDirectory, CancellationToken cancellationToken = default)
        => SweepRootAsync(Path.Combine(stateDirectory, MachineRuntime.DirectoryName), cancellationToken);

    /// <summary>
    /// Sweeps <paramref name="root"/> (a machines directory) unless its owner process is still running in another process.
    /// Works also when the directory or its registry is gone (a state directory deleted by hand): then by name only.
    /// </summary>
    public static async Task<SweepReport> SweepRootAsync(string root, CancellationToken cancellationToken = default)
    {
        var path = Path.Combine(root, MachineRegistry.FileName);
        var document = MachineRegistry.Read(path);
        if (document is not null && document.Owner.Pid != Environment.ProcessId && document.Owner.IsAliveOnceSettled())
        {
            return SweepReport.Nothing;
        }
        // The sweep works on the dead owner's registry without taking it over: a later start must not mistake this
        // process (still alive, say a 'drover local down' run in-process) for a local cloud that owns these machines.
        var registry = File.Exists(path) ? new MachineRegistry(root, document?.Owner ?? ProcessIdentity.Nobody) : null;
        return await SweepAsync(root, registry, cancellationToken);
    }

    /// <summary>Sweeps the registry's entries and routes, then everything of <paramref name="root"/>'s names that no entry lists.</summary>
    internal static async Task<SweepReport> SweepAsync(string root, MachineRegistry? registry, CancellationToken cancellationToken)
    {
        var names = new MachineNames(root);
        var problems = new List<string>();
        var removed = 0;
        foreach (var entry in registry?.Entries ?? [])
        {
            try
            {
                await RescueTeardown.TearDownAsync(entry, cancellationToken);
                registry!.Remove(entry);
                removed++;
            }
            catch (MachineException e)
            {
                problems.Add(e.Message);
            }
        }
        foreach (var route in registry?.Routes ?? [])
        {
            try
            {
                await RescueTeardown.DeleteRouteAsync(route, cancellationToken);
                registry!.RemoveRoute(route);
            }
            catch (MachineException e)
            {
                problems.Add(e.Message);
            }
        }
        removed += await SweepByNameAsync(root, names, registry?.Entries ?? [], registry?.Routes ?? [], problems, cancellationToken);
        return new SweepReport(removed, problems);
    }

    /// <summary>Sweeps and deletes every <c>drover-localcloud-*</c> directory under <paramref name="parent"/> whose owner process is gone.</summary>
    internal static async Task SweepAbandonedAsync(string parent, string prefix, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(parent))
        {
            return;
        }
        foreach (var directory in Directory.GetDirectories(parent, prefix + "*"))
        {
            var document = MachineRegistry.Read(Path.Combine(directory, MachineRegistry.FileName));
            if (document is null || document.Owner.IsAliveOnceSettled())
            {
                continue;
            }
            var report = await SweepRootAsync(directory, cancellationToken);
            if (report.Clean)
            {
                var problems = new List<string>();
                RescueTeardown.DeleteDirectory(directory, problems);
            }
        }
    }

    /// <summary>
    /// What carries this cloud's names but no registry lists (<paramref name="listed"/>: entries a sweep could not
    /// remove, left for later): processes, namespaces, veths, loop devices, routes, machine directories. Returns how
    /// many machines (namespaces) it removed.
    /// </summary>
    private static async Task<int> SweepByNameAsync(string root, MachineNames names, IReadOnlyList<RegistryEntry> listed, IReadOnlyList<string> listedRoutes, List<string> problems, CancellationToken cancellationToken)
    {
        var keepNamespaces = listed.Select(e => e.Namespace).ToHashSet(StringComparer.Ordinal);
        var keepVeths = listed.Select(e => e.HostVeth).ToHashSet(StringComparer.Ordinal);
        var keepMarkers = listed.Select(e => e.Marker).ToHashSet(StringComparer.Ordinal);
        var keepFiles = listed.Select(e => e.BackingFile).ToHashSet(StringComparer.Ordinal);

        KillProcessesNaming(root, keepMarkers);
        var removed = 0;
        foreach (var ns in Namespaces().Where(n => !keepNamespaces.Contains(n)))
        {
            if (names.Parse(ns) is not { } parsed)
            {
                continue;
            }
            var entry = new RegistryEntry
            {
                ServerId = parsed.ServerId,
                Namespace = ns,
                HostVeth = parsed.HostVeth,
                BackingFile = Path.Combine(root, "disks", $"server-{parsed.ServerId}.raw"),
                Marker = Path.Combine(root, "rescue", ns),
            };
            try
            {
                await RescueTeardown.TearDownAsync(entry, cancellationToken);
                removed++;
            }
            catch (MachineException e)
            {
                problems.Add(e.Message);
            }
        }
        foreach (var veth in await LinksAsync(names.VethPrefix, cancellationToken))
        {
            if (!keepVeths.Contains(veth))
            {
                await RescueTeardown.DeleteLinkAsync(veth, problems, cancellationToken);
            }
        }
        foreach (var (loop, backing) in await LoopDevicesUnderAsync(root, cancellationToken))
        {
            if (!keepFiles.Contains(backing))
            {
                await RescueTeardown.DetachLoopAsync(loop, backing, problems, cancellationToken);
            }
        }
        foreach (var route in await RoutesWithMetricAsync(names.RouteMetric, cancellationToken))
        {
            if (listedRoutes.Contains(route))
            {
                continue;
            }
            try
            {
                await RescueTeardown.DeleteRouteAsync(route, cancellationToken);
            }
            catch (MachineException e)
            {
                problems.Add(e.Message);
            }
        }
        foreach (var kind in new[] { "rescue", "qemu" })
        {
            var parent = Path.Combine(root, kind);
            foreach (var directory in Directory.Exists(parent) ? Directory.GetDirectories(parent) : [])
            {
                if (!keepMarkers.Contains(directory))
                {
                    RescueTeardown.DeleteDirectory(directory, problems);
                }
            }
        }
        return removed;
    }

    /// <summary>SIGKILLs every process (but this one) whose command line names one of the cloud's machine directories.</summary>
    private static void KillProcessesNaming(string root, IReadOnlySet<string> keepMarkers)
    {
        var markers = new[] { Path.Combine(root, "rescue") + "/", Path.Combine(root, "qemu") + "/" };
        foreach (var pid in Directory.GetDirectories("/proc").Select(d => int.TryParse(Path.GetFileName(d), out var p) ? p : 0).Where(p => p > 0 && p != Environment.ProcessId))
        {
            string cmdline;
            try
            {
                cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            if (markers.Any(m => cmdline.Contains(m, StringComparison.Ordinal)) && !keepMarkers.Any(k => cmdline.Contains(k + "/", StringComparison.Ordinal)))
            {
                NativeMethods.Kill(pid, NativeMethods.SigKill);
            }
        }
    }

    private static IEnumerable<string> Namespaces()
        => Directory.Exists("/run/netns") ? Directory.GetFiles("/run/netns").Select(Path.GetFileName).OfType<string>() : [];

    /// <summary>Network interfaces whose name starts with <paramref name="prefix"/>.</summary>
    private static async Task<IReadOnlyList<string>> LinksAsync(string prefix, CancellationToken cancellationToken)
    {
        var links = await HostCommand.RunAsync("ip", ["-o", "link", "show"], cancellationToken);
        return links.Ok
            ? [.. links.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split(':', 3))
                .Where(p => p.Length == 3)
                .Select(p => p[1].Trim().Split('@')[0])
                .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))]
            : [];
    }

    /// <summary>Loop devices whose backing file lies under <paramref name="root"/>.</summary>
    private static async Task<IReadOnlyList<(string Loop, string Backing)>> LoopDevicesUnderAsync(string root, CancellationToken cancellationToken)
    {
        var list = await HostCommand.RunAsync("losetup", ["--list", "--json", "--output", "NAME,BACK-FILE"], cancellationToken);
        if (!list.Ok || string.IsNullOrWhiteSpace(list.Stdout))
        {
            return [];
        }
        using var json = JsonDocument.Parse(list.Stdout);
        var under = root.TrimEnd('/') + "/";
        return [.. json.RootElement.GetProperty("loopdevices").EnumerateArray()
            .Select(d => (Loop: d.GetProperty("name").GetString()!, Backing: (d.GetProperty("back-file").GetString() ?? "").Replace(" (deleted)", "", StringComparison.Ordinal)))
            .Where(d => d.Backing.StartsWith(under, StringComparison.Ordinal))];
    }

    /// <summary>The <c>ip route</c> arguments of an address block's <c>unreachable</c> route with a cloud's metric.</summary>
    internal static string UnreachableRoute(string block, int metric) => $"unreachable {block} metric {metric}";

    /// <summary>The <c>unreachable</c> routes with this cloud's metric, as <c>ip route</c> arguments.</summary>
    private static async Task<IReadOnlyList<string>> RoutesWithMetricAsync(int metric, CancellationToken cancellationToken)
    {
        var shown = await HostCommand.RunAsync("ip", ["-4", "route", "show", "table", "main", "type", "unreachable"], cancellationToken);
        var tag = $"metric {metric}";
        return shown.Ok
            ? [.. shown.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(l => l.Contains(tag, StringComparison.Ordinal))
                .Select(l => UnreachableRoute(l.Split(' ').First(w => w.Contains('.', StringComparison.Ordinal)), metric))]
            : [];
    }
}
