using System.CommandLine;
using System.Globalization;
using Drover.Cli.Output;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;

namespace Drover.Cli.Commands;

/// <summary><c>drover server list|describe</c>.</summary>
internal static class ServerCommands
{
    public static Command Create(CliEnv env)
    {
        var server = new Command("server", "Servers: list, describe, and converge again (update apply)");
        server.Subcommands.Add(List(env));
        server.Subcommands.Add(Describe(env));
        server.Subcommands.Add(ServerUpdateCommand.Create(env));
        server.Subcommands.Add(ServerConsoleLogCommand.Create(env));
        return server;
    }

    private static Command List(CliEnv env)
        => ListCommand.Create(env, "List servers",
            fetch: (client, selector, _, ct) => client.Servers.ListAsync(new ServerListOptions { LabelSelector = selector }, ct),
            columns:
            [
                new("ID", s => s.Id.ToString(CultureInfo.InvariantCulture)),
                new("NAME", s => s.Name),
                new("STATUS", s => s.Status.Value),
                new("IPV4", s => s.PublicNet.Ipv4?.Ip),
                new("IPV6", s => s.PublicNet.Ipv6?.Ip),
                new("TYPE", s => s.ServerType.Name),
                new("LOCATION", s => s.Location.Name),
                new("AGE", s => Common.Age(s.Created, env.IO.Time)),
            ],
            json: c => c.IReadOnlyListServer);

    private static Command Describe(CliEnv env)
    {
        var output = Common.Output();
        var name = new Argument<string>("server") { Description = "Server name or ID" };
        var command = new Command("describe", "Show one server") { name, output };
        Common.SetHandler(command, env, async (parse, ct) =>
        {
            var client = await env.Connector.ConnectAsync(parse.GetValue(Common.Context), ct);
            var reference = IdOrName.Parse(parse.GetValue(name)!);
            var s = reference.Id is { } id ? await client.Servers.GetAsync(id, ct) : await client.Servers.GetByNameAsync(reference.Name!, ct);
            if (s is null)
            {
                await env.IO.Error.WriteLineAsync($"error: server not found: {reference}");
                return Common.Failure;
            }
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Json.Write(env.IO.Out, s, c => c.Server);
                return Common.Ok;
            }
            var w = env.IO.Out;
            w.WriteLine($"ID:           {s.Id}");
            w.WriteLine($"Name:         {s.Name}");
            w.WriteLine($"Status:       {s.Status}");
            w.WriteLine($"Created:      {s.Created:u} ({Common.Age(s.Created, env.IO.Time)} ago)");
            w.WriteLine($"Server type:  {s.ServerType.Name} ({s.ServerType.Cores} cores, {s.ServerType.Memory} GB, {s.ServerType.Disk} GB disk, {s.ServerType.Architecture})");
            w.WriteLine($"Location:     {s.Location.Name} ({s.Datacenter.Name})");
            w.WriteLine($"Image:        {(s.Image is { } i ? $"{i.Name ?? i.Description} ({i.Id})" : "-")}");
            w.WriteLine($"IPv4:         {s.PublicNet.Ipv4?.Ip ?? "-"}");
            w.WriteLine($"IPv6:         {s.PublicNet.Ipv6?.Ip ?? "-"}");
            w.WriteLine($"Private nets: {(s.PrivateNet.Count == 0 ? "-" : string.Join(", ", s.PrivateNet.Select(p => $"{p.Ip} (network {p.Network})")))}");
            w.WriteLine($"Rescue:       {(s.RescueEnabled ? "enabled" : "disabled")}");
            w.WriteLine($"Locked:       {(s.Locked ? "yes" : "no")}");
            w.WriteLine($"Protection:   delete={(s.Protection.Delete ? "yes" : "no")}, rebuild={(s.Protection.Rebuild ? "yes" : "no")}");
            w.WriteLine($"Labels:       {(s.Labels.Count == 0 ? "-" : Common.Labels(s.Labels))}");
            return Common.Ok;
        });
        return command;
    }
}
