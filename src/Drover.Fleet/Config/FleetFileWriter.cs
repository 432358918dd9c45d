using Drover.Core.Files;

namespace Drover.Fleet.Config;

/// <summary>Edits a fleet file on disk: the text is changed in place (<see cref="FleetEditor"/>), checked, and written atomically.</summary>
public static class FleetFileWriter
{
    /// <summary>
    /// Applies <paramref name="changes"/> to host <paramref name="host"/> (added when the file has no such host) of the
    /// fleet file at <paramref name="path"/>. An edit that would make the file invalid throws
    /// <see cref="FleetConfigException"/> and leaves the file alone; otherwise it is replaced in one step, keeping its mode.
    /// </summary>
    public static HostEdit SetHost(string path, string host, HostChanges changes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var before = File.ReadAllText(path);
        var after = FleetEditor.SetHost(before, path, host, changes);
        if (after != before)
        {
            AtomicFile.WriteAllText(path, after);
        }
        var fleet = FleetLoader.Parse(after, path);
        return new HostEdit(after != before, fleet.FindHost(host)!, fleet);
    }
}
