using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;
using Drover.Cli.Commands;

namespace Drover.Cli;

/// <summary>The <c>drover</c> command tree. <c>Program.Main</c> only wires the real console into <see cref="RunAsync"/>.</summary>
public static class CliApp
{
    /// <summary>
    /// The width help wraps at when stdout is not a terminal (a pipe, a file, a test's writer) and COLUMNS is not set:
    /// help then reads the same on every machine, whatever terminal the process happens to have. Descriptions are
    /// written with line breaks of their own; in a parent's command list they reach 140 columns, and a narrower width
    /// would break their lines again mid-sentence.
    /// </summary>
    public const int DefaultHelpWidth = 160;

    public static RootCommand BuildRoot(CliEnv env)
    {
        ArgumentNullException.ThrowIfNull(env);
        var root = new RootCommand("""
            Drover: from an OS disk image to a fleet of converged servers on Hetzner Cloud.

            With no token configured, commands use the 'local' context: a local Hetzner cloud on 127.0.0.1,
            started on demand. HCLOUD_TOKEN (and HCLOUD_ENDPOINT) or 'drover context use NAME' switch to a real API.
            Results go to stdout (-o table|json); logs and progress to stderr.
            Exit codes: 0 ok, 1 failure, 2 usage error.
            """);
        root.Options.Add(Common.Context);
        root.Subcommands.Add(ContextCommands.Create(env));
        root.Subcommands.Add(LocalCommands.Create(env));
        root.Subcommands.Add(ServerCommands.Create(env));
        root.Subcommands.Add(ImageCommands.Create(env));
        root.Subcommands.Add(SshKeyCommands.Create(env));
        root.Subcommands.Add(BootstrapCommand.Create(env));
        root.Subcommands.Add(SecretsCommand.Create(env));
        root.Subcommands.Add(UserDataCommand.Create(env));
        root.Subcommands.Add(InitCommand.Create(env));
        root.Subcommands.Add(SchemaCommand.Create(env));
        root.Subcommands.Add(HostCommands.Create(env));
        root.Subcommands.Add(CleanupCommand.Create(env));
        root.Subcommands.Add(DemoCommand.Create(env));
        root.Subcommands.Add(TalosCommands.Create(env));
        root.Subcommands.Add(ProxmoxCommands.Create(env));
        root.Subcommands.Add(AgentCommands.Create(env));
        // One help action serves every command (the help option is recursive). Left alone, System.CommandLine asks the
        // process's console: the terminal's width, or no wrapping at all when stdout is redirected.
        foreach (var help in root.Options.OfType<HelpOption>())
        {
            ((HelpAction)help.Action!).MaxWidth = HelpWidth(env.IO);
        }
        return root;
    }

    /// <summary>Where help wraps: COLUMNS if set to a positive number, else the terminal's width, else <see cref="DefaultHelpWidth"/>.</summary>
    public static int HelpWidth(CliIO io)
    {
        ArgumentNullException.ThrowIfNull(io);
        return int.TryParse(io.Env("COLUMNS"), NumberStyles.None, CultureInfo.InvariantCulture, out var columns) && columns > 0
            ? columns
            : io.OutputWidth ?? DefaultHelpWidth;
    }

    public static async Task<int> RunAsync(string[] args, CliIO io, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(io);
        var env = new CliEnv(io, DroverPaths.From(io));
        var parse = BuildRoot(env).Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await io.Error.WriteLineAsync($"error: {error.Message}");
            }
            await io.Error.WriteLineAsync("run 'drover --help' for usage");
            return Common.Usage;
        }
        return await parse.InvokeAsync(new InvocationConfiguration { Output = io.Out, Error = io.Error }, cancellationToken);
    }
}
