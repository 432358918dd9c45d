using System.CommandLine;
using System.Net.Http.Headers;
using Drover.Cli.Config;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;

namespace Drover.Cli.Commands;

/// <summary>
/// <c>drover server console-log SERVER [--markers] [--follow]</c>: the serial console of a server's last QEMU boot in the
/// local cloud (ttyS0, or ttyS1 with <c>--markers</c>; on arm ttyAMA0 and the virtio port org.drover.markers). The Hetzner API has no console log, so other contexts fail.
/// </summary>
internal static class ServerConsoleLogCommand
{
    private static readonly TimeSpan _followInterval = TimeSpan.FromSeconds(1);

    public static Command Create(CliEnv env)
    {
        var name = new Argument<string>("server") { Description = "Server name or ID" };
        var markers = new Option<bool>("--markers") { Description = "The markers port (ttyS1, on arm org.drover.markers) instead of the console (ttyS0, on arm ttyAMA0)" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new output until interrupted" };
        var command = new Command("console-log", "Print a local server's serial console log (local cloud only)") { name, markers, follow };
        Common.SetHandler(command, env, async (parse, ct) =>
        {
            var target = await env.Connector.ResolveAsync(parse.GetValue(Common.Context), ct);
            // The local context, or HCLOUD_ENDPOINT pointing at a local cloud on this machine ('drover local env').
            if (target.ContextName != ContextStore.LocalContext && !target.Endpoint.IsLoopback)
            {
                await env.IO.Error.WriteLineAsync("error: the Hetzner API has no console log; use the web console");
                return Common.Failure;
            }
            var client = HcloudClient.Create(new HcloudClientOptions { Endpoint = target.Endpoint, Token = target.Token, UserAgent = "drover/0.1" });
            var reference = IdOrName.Parse(parse.GetValue(name)!);
            var server = reference.Id is { } id ? await client.Servers.GetAsync(id, ct) : await client.Servers.GetByNameAsync(reference.Name!, ct);
            if (server is null)
            {
                await env.IO.Error.WriteLineAsync($"error: server not found: {reference}");
                return Common.Failure;
            }
            using var http = new HttpClient();
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", target.Token);
            var uri = new Uri(target.Endpoint, $"/__localcloud/servers/{server.Id}/console{(parse.GetValue(markers) ? "?markers=true" : "")}");
            var printed = 0;
            do
            {
                var text = await http.GetStringAsync(uri, ct);
                if (text.Length < printed)
                {
                    printed = 0; // A new boot started a new log.
                }
                await env.IO.Out.WriteAsync(text[printed..]);
                await env.IO.Out.FlushAsync(ct);
                printed = text.Length;
                if (parse.GetValue(follow))
                {
                    await Task.Delay(_followInterval, TimeProvider.System, ct);
                }
            }
            while (parse.GetValue(follow));
            return Common.Ok;
        });
        return command;
    }
}
