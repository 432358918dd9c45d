using System.Globalization;

namespace Drover.Agent;

/// <summary>
/// Turns arguments, the environment and <c>/etc/drover/agent.env</c> into <see cref="AgentOptions"/>.
/// Precedence: flag, then environment, then the config file, then the default.
/// </summary>
internal static class AgentCommandLine
{
    public const string MetadataUrlVariable = "DROVER_METADATA_URL";
    public const string TimeoutVariable = "DROVER_TIMEOUT";
    public const string NetworkDirVariable = "DROVER_NETWORK_DIR";

    public const string Usage = """
        Usage:
          drover-agent [--metadata-url URL] [--root DIR] [--force] [--timeout DURATION] [--network-dir DIR]
          drover-agent --instance-check [--root DIR]
          drover-agent --help

        First-boot agent: reads the Hetzner Cloud metadata service, writes /etc/hcloud-metadata.json and
        /etc/hcloud-userdata, sets hostname, root's authorized keys and systemd-networkd files, writes
        /etc/nix-flake-target, runs the converge command once, then writes /var/lib/drover/agent.done and
        /var/lib/drover/status.json. With the marker present it does nothing (unless --force), except where the
        marker names another instance than the SMBIOS serial (a server made from a snapshot of a converged one):
        then it runs again, with fresh SSH host keys.

        Proxmox VE and other NoCloud hosts: when the metadata service does not answer a first 2 s probe and a drive
        labelled cidata (or CIDATA) is there, the agent reads that drive read-only instead (meta-data, user-data,
        network-config version 1 or 2; /etc/drover/nocloud.json and /etc/drover/nocloud-userdata). Its instance-id
        decides "once": a new one (Proxmox derives it from user-data and network-config) runs the first boot again.
        Neither source yet: both are retried until the timeout. The status and the log name the source
        (hetzner-metadata or nocloud).

        Options:
          --metadata-url URL   Metadata service base URL [default: http://169.254.169.254/hetzner/v1/]
                               (env DROVER_METADATA_URL, or DROVER_METADATA_URL= in /etc/drover/agent.env)
          --root DIR           Prefix for every file path; with a root other than / no system calls are made
                               (sethostname, networkctl): the agent logs what it would do [default: /]
          --force              Run even if /var/lib/drover/agent.done exists
          --instance-check     Only check, early in boot and without network, whether the marker is from this instance
                               (its instance-id = the SMBIOS serial); if not, remove the marker and the SSH host keys
                               that came with the snapshot, so that new keys are made before sshd starts
          --timeout DURATION   How long to retry the metadata service (and look for a NoCloud drive), e.g. 120s, 2m, 500ms [default: 120s]
                               (env DROVER_TIMEOUT, or DROVER_TIMEOUT= in /etc/drover/agent.env)
          --network-dir DIR    Where the systemd-networkd units go, under --root like every path
                               [default: /etc/systemd/network; NixOS's module sets /run/systemd/network]
                               (env DROVER_NETWORK_DIR, or DROVER_NETWORK_DIR= in /etc/drover/agent.env)

        Exit codes: 0 ok (or already done), 1 failure (no marker written; the next boot retries), 2 usage.
        """;

    /// <summary>The options, or null with <paramref name="error"/> set (null error and null result: help was asked for).</summary>
    public static AgentOptions? Parse(IReadOnlyList<string> args, IReadOnlyDictionary<string, string?> environment, out string? error)
    {
        error = null;
        string? url = null, root = null, timeout = null, networkDir = null;
        var force = false;
        var instanceCheck = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? inline = null;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inline = arg[(eq + 1)..];
                arg = arg[..eq];
            }

            switch (arg)
            {
                case "-h" or "--help":
                    return null;
                case "--force":
                    force = true;
                    break;
                case "--instance-check":
                    instanceCheck = true;
                    break;
                case "--metadata-url" or "--root" or "--timeout" or "--network-dir":
                    var value = inline ?? (i + 1 < args.Count ? args[++i] : null);
                    if (value is null)
                    {
                        error = $"{arg} needs a value";
                        return null;
                    }

                    if (arg == "--metadata-url")
                    {
                        url = value;
                    }
                    else if (arg == "--root")
                    {
                        root = value;
                    }
                    else if (arg == "--network-dir")
                    {
                        networkDir = value;
                    }
                    else
                    {
                        timeout = value;
                    }

                    break;
                default:
                    error = $"unknown argument '{args[i]}'";
                    return null;
            }
        }

        root ??= "/";
        if (!Path.IsPathRooted(root))
        {
            root = Path.GetFullPath(root);
        }

        var file = ReadConfigFile(RootedPath.Combine(root, AgentPaths.ConfigFile));
        url ??= Lookup(environment, MetadataUrlVariable) ?? file.GetValueOrDefault(MetadataUrlVariable) ?? AgentOptions.DefaultMetadataUrl;
        timeout ??= Lookup(environment, TimeoutVariable) ?? file.GetValueOrDefault(TimeoutVariable);
        networkDir ??= Lookup(environment, NetworkDirVariable) ?? file.GetValueOrDefault(NetworkDirVariable) ?? AgentPaths.NetworkDir;

        if (!Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            error = $"metadata URL '{url}' is not an absolute http(s) URL";
            return null;
        }

        if (!networkDir.StartsWith('/'))
        {
            error = $"network directory '{networkDir}' is not an absolute path (it is a path of the configured system, under the root)";
            return null;
        }

        var options = new AgentOptions { MetadataUrl = uri, Root = root, Force = force, InstanceCheck = instanceCheck, NetworkDirectory = networkDir };
        if (timeout is not null)
        {
            if (!TryParseDuration(timeout, out var span) || span <= TimeSpan.Zero)
            {
                error = $"timeout '{timeout}' is not a duration (e.g. 120s, 2m, 500ms)";
                return null;
            }

            options = options with { Timeout = span };
        }

        return options;
    }

    /// <summary>Durations as <c>500ms</c>, <c>90s</c>, <c>2m</c>, <c>1h</c>, or a plain number of seconds.</summary>
    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        value = default;
        text = text.Trim();
        var (number, factor) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 0.001),
            _ when text.EndsWith('s') => (text[..^1], 1.0),
            _ when text.EndsWith('m') => (text[..^1], 60.0),
            _ when text.EndsWith('h') => (text[..^1], 3600.0),
            _ => (text, 1.0),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || double.IsNaN(n) || n < 0 || n > 1e7)
        {
            return false;
        }

        value = TimeSpan.FromSeconds(n * factor);
        return true;
    }

    /// <summary>Reads <c>KEY=VALUE</c> lines (comments with <c>#</c>, optional quotes); a missing file is empty.</summary>
    public static Dictionary<string, string> ReadConfigFile(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return values;
        }

        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line[7..].TrimStart();
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var value = line[(eq + 1)..].Trim();
            if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0])
            {
                value = value[1..^1];
            }

            values[line[..eq].Trim()] = value;
        }

        return values;
    }

    private static string? Lookup(IReadOnlyDictionary<string, string?> environment, string name) =>
        environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;
}
