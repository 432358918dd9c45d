using System.CommandLine;
using Drover.Fleet.Config;

namespace Drover.Cli.Commands;

/// <summary>What the fleet commands share: the <c>--config</c> option and loading the fleet file it names.</summary>
internal static class FleetCommon
{
    /// <summary>The default fleet file, in the current directory.</summary>
    public const string DefaultConfig = "drover.yaml";

    /// <summary><c>--config FILE</c>; recursive, so <c>drover host --config F list</c> works as well as <c>drover host list --config F</c>.</summary>
    public static readonly Option<string> ConfigOption = new("--config")
    {
        Description = "The fleet file",
        HelpName = "FILE",
        DefaultValueFactory = _ => DefaultConfig,
        Recursive = true,
    };

    /// <summary>The fleet file path the command was given.</summary>
    public static string ConfigPath(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var path = parse.GetValue(ConfigOption);
        return string.IsNullOrWhiteSpace(path) ? DefaultConfig : path;
    }

    /// <summary>
    /// Loads and validates the fleet file. Problems surface as a <see cref="FleetConfigException"/>, which the command
    /// handler prints one diagnostic per line (<c>error: drover.yaml:7:5: hosts.web1.server_tpye: unknown key ...</c>),
    /// exit code 1.
    /// </summary>
    public static FleetFile Load(ParseResult parse, CliEnv env)
    {
        ArgumentNullException.ThrowIfNull(env);
        var path = ConfigPath(parse);
        if (!File.Exists(path))
        {
            throw new FleetConfigException(new FleetDiagnostic(null, path,
                "the fleet file does not exist (create one with 'drover init', or name another with --config FILE)"));
        }
        return FleetLoader.Load(path);
    }
}
