using Drover.Cli.Local;

namespace Drover.Cli;

/// <summary>What every command handler gets: the console, the paths, and the ways to reach a cloud.</summary>
public sealed record CliEnv(CliIO IO, DroverPaths Paths)
{
    public CloudConnector Connector => new(Paths, IO);
    public LocalCloudManager Local => new(Paths, IO);
}
