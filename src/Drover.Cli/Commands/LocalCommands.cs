using System.CommandLine;
using System.Text.Json;
using Drover.Cli.Output;
using Drover.LocalCloud;
using Drover.LocalCloud.Hosting;

namespace Drover.Cli.Commands;

/// <summary><c>drover local up|down|status|reset</c>, and the hidden <c>local serve</c> the background process runs.</summary>
internal static class LocalCommands
{
    public static Command Create(CliEnv env)
    {
        var local = new Command("local", "The local Hetzner cloud on 127.0.0.1 (the default context)");
        local.Subcommands.Add(Up(env));
        local.Subcommands.Add(Down(env));
        local.Subcommands.Add(Status(env));
        local.Subcommands.Add(Reset(env));
        local.Subcommands.Add(EnvCommand(env));
        local.Subcommands.Add(Serve(env));
        return local;
    }

    private static Command Up(CliEnv env)
    {
        var output = Common.Output();
        var command = new Command("up", "Start the local cloud in the background (does nothing if it is running)") { output };
        Common.SetHandler(command, env, async (parse, ct) =>
        {
            var status = await env.Local.UpAsync(ct);
            // Only 'local status -o json' and 'local env' show the token; the text says where to find it.
            Print(env, status, parse.GetValue(output), showToken: false);
            return Common.Ok;
        });
        return command;
    }

    private static Command Down(CliEnv env)
    {
        var command = new Command("down", """
            Stop the local cloud by its PID (its state is kept), then remove whatever it or an earlier run left on this
            host: rescue systems, QEMU boots, namespaces, veths, loop devices, routes. Exits 1, naming each, when
            something could not be removed.
            """);
        Common.SetHandler(command, env, async (_, ct) =>
        {
            var down = await env.Local.DownAsync(ct);
            await env.IO.Error.WriteLineAsync(down.WasRunning ? "local cloud stopped" : "local cloud was not running");
            return await ReportProblemsAsync(env, down);
        });
        return command;
    }

    private static Command Status(CliEnv env)
    {
        var output = Common.Output();
        var command = new Command("status", "Show whether the local cloud runs, its endpoint, token (json only) and machine support") { output };
        Common.SetHandler(command, env, async (parse, ct) =>
        {
            Print(env, await env.Local.StatusAsync(ct), parse.GetValue(output));
            return Common.Ok;
        });
        return command;
    }

    private static Command Reset(CliEnv env)
    {
        var output = Common.Output();
        var command = new Command("reset", """
            Forget every server, image, key and action of the local cloud and start afresh: stop it, remove everything
            it and earlier runs left on this host (also after a crash or a reboot), delete its state, and start it again
            on the same endpoint and token if it was running, probing machine support anew. Exits 1, naming each, when
            something could not be removed; what is left stays recorded for the next sweep.
            """)
        { output };
        Common.SetHandler(command, env, async (parse, ct) =>
        {
            var (cleanup, status) = await env.Local.ResetAsync(ct);
            await env.IO.Error.WriteLineAsync(cleanup.WasRunning ? "local cloud reset and started again" : "local cloud reset (not running; 'drover local up' or any command starts it)");
            Print(env, status, parse.GetValue(output), showToken: false);
            return await ReportProblemsAsync(env, cleanup);
        });
        return command;
    }

    private static Command EnvCommand(CliEnv env)
    {
        var command = new Command("env", "Print 'export HCLOUD_ENDPOINT=... HCLOUD_TOKEN=...' for other clients (eval \"$(drover local env)\"); starts the local cloud if needed");
        Common.SetHandler(command, env, async (_, ct) =>
        {
            var status = await env.Local.UpAsync(ct);
            await env.IO.Out.WriteLineAsync($"export HCLOUD_ENDPOINT={status.Endpoint} HCLOUD_TOKEN={status.Token}");
            return Common.Ok;
        });
        return command;
    }

    private static Command Serve(CliEnv env)
    {
        var stateDir = new Option<string?>("--state-dir") { Description = "State directory (default: in memory)" };
        var readyFile = new Option<string?>("--ready-file") { Description = "Write {pid, endpoint} here once listening" };
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0: any free port)" };
        var actionMs = new Option<int>("--action-duration-ms") { Description = "How long actions run", DefaultValueFactory = _ => 1000 };
        var command = new Command("serve", "Run the local cloud in the foreground (what 'up' starts)") { stateDir, readyFile, port, actionMs };
        command.Hidden = true;
        Common.SetHandler(command, env, async (parse, ct) =>
        {
            var token = env.IO.Env("DROVER_LOCAL_TOKEN") ?? throw new UsageException("DROVER_LOCAL_TOKEN must be set");
            var options = new LocalCloudOptions { Token = token, StateDirectory = parse.GetValue(stateDir), ActionDuration = TimeSpan.FromMilliseconds(parse.GetValue(actionMs)) };
            return await LocalCloudServer.RunAsync(options, parse.GetValue(port), parse.GetValue(readyFile), ct);
        });
        return command;
    }

    /// <summary>Names what could not be removed on stderr; 1 when anything, else 0.</summary>
    private static async Task<int> ReportProblemsAsync(CliEnv env, LocalCloudCleanup cleanup)
    {
        if (cleanup.Clean)
        {
            return Common.Ok;
        }
        await env.IO.Error.WriteLineAsync($"error: {cleanup.Problems.Count} thing(s) could not be removed from this host (they stay recorded; 'drover local reset' tries again):");
        foreach (var problem in cleanup.Problems)
        {
            await env.IO.Error.WriteLineAsync($"  - {problem}");
        }
        return Common.Failure;
    }

    /// <summary>The status as text or JSON; the token only in JSON and only with <paramref name="showToken"/>.</summary>
    private static void Print(CliEnv env, LocalCloudStatus status, OutputFormat format, bool showToken = true)
    {
        if (format == OutputFormat.Json)
        {
            var shown = showToken ? status : status with { Token = null, Proxmox = status.Proxmox is { } p ? p with { TokenSecret = null } : null };
            env.IO.Out.WriteLine(JsonSerializer.Serialize(shown, LocalJsonContext.Default.LocalCloudStatus));
            return;
        }
        var w = env.IO.Out;
        w.WriteLine($"Running:   {(status.Running ? "yes" : "no")}");
        w.WriteLine($"PID:       {status.Pid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}");
        w.WriteLine($"Endpoint:  {status.Endpoint ?? "-"}");
        w.WriteLine($"Token:     {(status.Token is null ? "-" : "(hidden; 'drover local status -o json' shows it)")}");
        if (status.Proxmox is { } pve)
        {
            w.WriteLine($"Proxmox:   {pve.Endpoint ?? "-"} (node {pve.Node})");
            w.WriteLine($"  token:   {pve.TokenId} (secret hidden; 'drover local status -o json' shows it)");
            w.WriteLine($"  fingerprint: {pve.Fingerprint}");
        }
        w.WriteLine($"State:     {status.StateDirectory}");
        w.WriteLine($"Log:       {status.LogFile}");
        w.WriteLine($"Machines:  {status.Machine?.Mode ?? "-"}{(status.Machine?.Reason is { } r ? $" ({r})" : "")}");
        w.WriteLine($"Boots:     {status.Machine?.Boot ?? "-"}{(status.Machine?.BootReason is { } b ? $" ({b})" : "")}");
        foreach (var architecture in status.Machine?.Architectures ?? [])
        {
            w.WriteLine($"  {architecture.Architecture + ":",-8} {(architecture.Available ? string.Join(", ", architecture.Firmware) : "unavailable")}{(architecture.Reason is { } why ? $" ({why})" : "")}");
        }
        foreach (var leftover in status.Machine?.Leftovers ?? [])
        {
            w.WriteLine($"Leftover:  {leftover}");
        }
        if (status.Machine?.Hint is { } hint)
        {
            w.WriteLine($"Hint:      {hint}");
        }
    }
}
