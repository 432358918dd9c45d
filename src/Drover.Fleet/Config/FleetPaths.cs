namespace Drover.Fleet.Config;

/// <summary>How paths written in a fleet file resolve: <c>~</c> is the home directory, relative paths start at the fleet file.</summary>
public static class FleetPaths
{
    /// <summary>The full path of <paramref name="path"/> as written in a fleet file whose directory is <paramref name="baseDirectory"/>.</summary>
    public static string Resolve(string baseDirectory, string path)
    {
        ArgumentNullException.ThrowIfNull(baseDirectory);
        ArgumentNullException.ThrowIfNull(path);
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
        {
            var home = Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            path = Path.Combine(home, path.Length > 2 ? path[2..] : "");
        }
        return Path.GetFullPath(Path.Combine(baseDirectory, path));
    }

    /// <summary>The full path of <paramref name="path"/> as written in <paramref name="fleet"/>.</summary>
    public static string Resolve(FleetFile fleet, string path)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        return Resolve(fleet.BaseDirectory, path);
    }
}
