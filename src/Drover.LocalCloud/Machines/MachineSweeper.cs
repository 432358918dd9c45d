namespace Drover.LocalCloud.Machines;

/// <summary>
/// Removes what a local cloud that is no longer running left on the host, as recorded in its registry
/// (<c>machines/registry.json</c>): used at start-up, by <c>drover local down</c> after a crash, and for abandoned
/// in-memory instances. It never touches anything the registry does not name.
/// </summary>
public static class MachineSweeper
{
    /// <summary>Sweeps the machines directory of a local cloud's state directory; returns how many machines (rescue systems, QEMU boots) it removed.</summary>
    public static Task<int> SweepStateDirectoryAsync(string stateDirectory, CancellationToken cancellationToken = default)
        => SweepAsync(Path.Combine(stateDirectory, MachineRuntime.DirectoryName), cancellationToken);

    /// <summary>
    /// Sweeps <paramref name="machinesDirectory"/> unless its owner process is still running (in another process).
    /// Entries that could not be removed stay in the registry and are reported in the exception.
    /// </summary>
    public static async Task<int> SweepAsync(string machinesDirectory, CancellationToken cancellationToken = default)
    {
        var path = Path.Combine(machinesDirectory, MachineRegistry.FileName);
        var document = MachineRegistry.Read(path);
        if (document is null || document.IsEmpty)
        {
            return 0;
        }
        if (document.Owner.Pid != Environment.ProcessId && document.Owner.IsAlive())
        {
            return 0;
        }
        var problems = new List<string>();
        var swept = 0;
        foreach (var entry in document.Entries.ToList())
        {
            try
            {
                await RescueTeardown.TearDownAsync(entry, cancellationToken);
                document.Entries.Remove(entry);
                swept++;
            }
            catch (MachineException e)
            {
                problems.Add(e.Message);
            }
        }
        foreach (var route in document.Routes.ToList())
        {
            try
            {
                await RescueTeardown.DeleteRouteAsync(route, cancellationToken);
                document.Routes.Remove(route);
            }
            catch (MachineException e)
            {
                problems.Add(e.Message);
            }
        }
        MachineRegistry.Write(path, document);
        return problems.Count == 0 ? swept : throw new MachineException(string.Join("; ", problems));
    }

    /// <summary>Sweeps and deletes every directory under <paramref name="parent"/> whose owner process is gone.</summary>
    internal static async Task SweepAbandonedAsync(string parent, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(parent))
        {
            return;
        }
        foreach (var directory in Directory.GetDirectories(parent))
        {
            var document = MachineRegistry.Read(Path.Combine(directory, MachineRegistry.FileName));
            if (document is null || document.Owner.IsAlive())
            {
                continue;
            }
            try
            {
                await SweepAsync(directory, cancellationToken);
                Directory.Delete(directory, recursive: true);
            }
            catch (Exception e) when (e is MachineException or IOException)
            {
                // Left for the next start; the registry still names what remains.
            }
        }
    }
}
