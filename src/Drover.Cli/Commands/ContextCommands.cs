using System.CommandLine;
using Drover.Cli.Config;
using Drover.Cli.Output;

namespace Drover.Cli.Commands;

/// <summary><c>drover context list|use|create|delete</c>. Tokens are stored, never printed.</summary>
internal static class ContextCommands
{
    public static Command Create(CliEnv env)
    {
        var context = new Command("context", "Named API targets (the built-in 'local' is the local cloud)");
        context.Subcommands.Add(List(env));
        context.Subcommands.Add(Use(env));
        context.Subcommands.Add(CreateContext(env));
        context.Subcommands.Add(Delete(env));
        return context;
    }

    private static Command List(CliEnv env)
    {
        var output = Common.Output();
        var command = new Command("list", "List contexts; * marks the active one") { output };
        Common.SetHandler(command, env, (parse, _) =>
        {
            var config = new ContextStore(env.Paths.ConfigFile).Load();
            var active = env.IO.Env("HCLOUD_CONTEXT") ?? config.ActiveContext ?? ContextStore.LocalContext;
            var rows = config.Contexts.Select(c => (c.Name, Endpoint: c.Endpoint ?? "https://api.hetzner.cloud/v1"))
                .Prepend((Name: ContextStore.LocalContext, Endpoint: "(local cloud on 127.0.0.1, started on demand)")).ToList();
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                env.IO.Out.WriteLine("[" + string.Join(",", rows.Select(r =>
                    $"{{\"name\":{System.Text.Json.JsonSerializer.Serialize(r.Name, ContextListJson.Default.String)},\"endpoint\":{System.Text.Json.JsonSerializer.Serialize(r.Endpoint, ContextListJson.Default.String)},\"active\":{(r.Name == active ? "true" : "false")}}}")) + "]");
                return Task.FromResult(Common.Ok);
            }
            var table = new Table("ACTIVE", "NAME", "ENDPOINT");
            foreach (var (name, endpoint) in rows)
            {
                table.Add(name == active ? "*" : " ", name, endpoint);
            }
            table.Write(env.IO.Out);
            return Task.FromResult(Common.Ok);
        });
        return command;
    }

    private static Command Use(CliEnv env)
    {
        var name = new Argument<string>("name") { Description = "Context to make active" };
        var command = new Command("use", "Make a context the active one") { name };
        Common.SetHandler(command, env, async (parse, _) =>
        {
            var store = new ContextStore(env.Paths.ConfigFile);
            var config = store.Load();
            var wanted = parse.GetValue(name)!;
            if (wanted != ContextStore.LocalContext && config.Contexts.All(c => c.Name != wanted))
            {
                throw new UsageException($"no context named '{wanted}' (see 'drover context list')");
            }
            store.Save(config with { ActiveContext = wanted });
            await env.IO.Error.WriteLineAsync($"active context: {wanted}");
            return Common.Ok;
        });
        return command;
    }

    private static Command CreateContext(CliEnv env)
    {
        var name = new Argument<string>("name") { Description = "Name of the new context" };
        var endpoint = new Option<string?>("--endpoint") { Description = "API base URL including /v1 (default: the public Hetzner Cloud API)" };
        var tokenFromStdin = new Option<bool>("--token-from-stdin") { Description = "Read the token from standard input (otherwise from HCLOUD_TOKEN)" };
        var activate = new Option<bool>("--activate") { Description = "Also make it the active context" };
        var command = new Command("create", "Store a context; the token comes from HCLOUD_TOKEN or stdin, never from argv") { name, endpoint, tokenFromStdin, activate };
        Common.SetHandler(command, env, async (parse, ct) =>
        {
            var contextName = parse.GetValue(name)!;
            if (contextName == ContextStore.LocalContext)
            {
                throw new UsageException("'local' is built in and cannot be redefined");
            }
            var url = parse.GetValue(endpoint);
            if (url is not null && !(Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Scheme is "http" or "https"))
            {
                throw new UsageException($"--endpoint: '{url}' is not an http(s) URL");
            }
            var token = parse.GetValue(tokenFromStdin) ? (await env.IO.In.ReadLineAsync(ct))?.Trim() : env.IO.Env("HCLOUD_TOKEN");
            if (string.IsNullOrEmpty(token))
            {
                throw new UsageException("no token: set HCLOUD_TOKEN or pass --token-from-stdin");
            }
            var store = new ContextStore(env.Paths.ConfigFile);
            var config = store.Load();
            if (config.Contexts.Any(c => c.Name == contextName))
            {
                throw new UsageException($"context '{contextName}' exists already");
            }
            store.Save(config with
            {
                Contexts = [.. config.Contexts, new CloudContext { Name = contextName, Endpoint = url, Token = token }],
                ActiveContext = parse.GetValue(activate) ? contextName : config.ActiveContext,
            });
            await env.IO.Error.WriteLineAsync($"context '{contextName}' created in {store.FilePath}");
            return Common.Ok;
        });
        return command;
    }

    private static Command Delete(CliEnv env)
    {
        var name = new Argument<string>("name") { Description = "Context to delete" };
        var command = new Command("delete", "Delete a stored context") { name };
        Common.SetHandler(command, env, async (parse, _) =>
        {
            var store = new ContextStore(env.Paths.ConfigFile);
            var config = store.Load();
            var wanted = parse.GetValue(name)!;
            if (config.Contexts.All(c => c.Name != wanted))
            {
                throw new UsageException($"no context named '{wanted}'");
            }
            store.Save(config with
            {
                Contexts = [.. config.Contexts.Where(c => c.Name != wanted)],
                ActiveContext = config.ActiveContext == wanted ? null : config.ActiveContext,
            });
            await env.IO.Error.WriteLineAsync($"context '{wanted}' deleted");
            return Common.Ok;
        });
        return command;
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class ContextListJson : System.Text.Json.Serialization.JsonSerializerContext;
