using Drover.Cli.Output;
using Drover.LocalCloud.Hosting;
using Microsoft.Extensions.Logging;

namespace Drover.Cli;

/// <summary>What every command handler gets: the console, the paths, and the ways to reach a cloud.</summary>
public sealed record CliEnv(CliIO IO, DroverPaths Paths)
{
    public CloudConnector Connector => new(Paths, IO);
    public ProxmoxConnector Proxmox => new(Paths, IO);
    public LocalCloudManager Local => LocalCloudAccess.Manager(Paths, IO);

    /// <summary>Logs to stderr: warnings and errors, or everything with HCLOUD_DEBUG set.</summary>
    public ILoggerFactory Logging => LoggerFactory.Create(b => b.AddProvider(new TextWriterLoggerProvider(IO.Error)).SetMinimumLevel(IO.Env("HCLOUD_DEBUG") is null ? LogLevel.Warning : LogLevel.Debug));
}
