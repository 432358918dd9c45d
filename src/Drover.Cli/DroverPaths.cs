namespace Drover.Cli;

/// <summary>Where Drover keeps its configuration and data (XDG directories; overridable for tests).</summary>
public sealed record DroverPaths(string ConfigFile, string DataDirectory)
{
    public string LocalDirectory => Path.Combine(DataDirectory, "local");

    /// <summary>
    /// The host keys of fleet servers Drover has connected to (trusted on first use). Kept apart from the user's own
    /// known_hosts: fleet servers are cattle, and their addresses come and go.
    /// </summary>
    public string KnownHostsFile
    {
        get
        {
            Directory.CreateDirectory(DataDirectory);
            return Path.Combine(DataDirectory, "known_hosts");
        }
    }

    public static DroverPaths From(CliIO io)
    {
        var home = io.Env("HOME") ?? System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile);
        var config = io.Env("DROVER_CONFIG")
            ?? Path.Combine(io.Env("XDG_CONFIG_HOME") ?? Path.Combine(home, ".config"), "drover", "config.json");
        var data = io.Env("DROVER_DATA_DIR")
            ?? Path.Combine(io.Env("XDG_DATA_HOME") ?? Path.Combine(home, ".local", "share"), "drover");
        return new DroverPaths(config, data);
    }
}
