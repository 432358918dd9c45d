using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Drover.Cli.Output;
using Drover.Fleet.Bootstrap;

namespace Drover.Cli.Commands;

/// <summary><c>drover bootstrap [--host H ...] [--plan] [--replace]</c>.</summary>
internal static class BootstrapCommand
{
    public static Command Create(CliEnv env)
    {
        var hosts = new Option<string[]>("--host") { Description = "Only these hosts (repeatable; default: every host in the fleet file)", AllowMultipleArgumentsPerToken = false };
        var planOnly = new Option<bool>("--plan") { Description = "Show what would change and change nothing" };
        var replace = new Option<bool>("--replace") { Description = "Delete and re-create hosts that need replacement (image, type, location or user-data changed). Without it they are only reported" };
        var parallelism = new Option<int>("--parallelism") { Description = "Hosts worked on at once (API rate limits are respected either way)", DefaultValueFactory = _ => 16 };
        var output = Common.Output();
        var command = new Command("bootstrap", """
            Make the fleet in the fleet file exist: create the servers it declares from their pinned or selected images,
            with SSH keys (uploaded once, matched by fingerprint), labels (drover/fleet, drover/host), networks, firewalls,
            volumes and rendered user-data; in parallel, within the API rate limit; then wait until they run.

            Idempotent: a second run changes nothing. Labels, networks, firewalls and volumes the file adds to an
            existing server are applied in place (update); ones it does not name are left alone. A server whose image,
            type, location or user-data differs from the file is reported as needing replacement and left alone unless
            --replace is given (its host key is then forgotten in Drover's known_hosts). Servers of the fleet that the
            file no longer names are reported, never deleted.
            """)
        { FleetCommon.ConfigOption, hosts, planOnly, replace, parallelism, output };
        Common.SetHandler(command, env, async (parse, ct) =>
        {
            var fleet = FleetCommon.Load(parse, env);
            var names = parse.GetValue(hosts) ?? [];
            var selected = names.Length == 0 ? [.. fleet.Hosts] : fleet.Hosts.Where(h => names.Contains(h.Name)).ToList();
            var proxmox = selected.Any(h => h.Proxmox is not null)
                ? new BootstrapProxmox(env, fleet, names, parse.GetValue(replace), parse.GetValue(planOnly), parse.GetValue(output) == OutputFormat.Json, Math.Max(1, parse.GetValue(parallelism)))
                : null;
            if (proxmox is not null && names.All(n => fleet.FindHost(n)?.Proxmox is not null) && !fleet.Hosts.Any(h => h.Proxmox is null && (names.Length == 0 || names.Contains(h.Name))))
            {
                // Only Proxmox hosts: no Hetzner Cloud involved.
                return await proxmox.RunAsync(null, ct);
            }
            if (proxmox is not null)
            {
                // A mixed fleet: plan the Proxmox hosts first, so that a problem there changes nothing anywhere.
                await proxmox.PlanAsync(ct);
            }
            var client = await env.Connector.ConnectAsync(parse.GetValue(Common.Context), ct);
            var plan = await new FleetPlanner(client).PlanAsync(fleet, parse.GetValue(hosts), parse.GetValue(replace), ct);
            var json = parse.GetValue(output) == OutputFormat.Json;
            if (parse.GetValue(planOnly))
            {
                var planJson = PlanJson(plan);
                if (!json)
                {
                    PrintPlan(env.IO.Out, plan);
                }
                var proxmoxPlanExit = proxmox is null ? Common.Ok : await proxmox.RunAsync(planJson, ct);
                if (json)
                {
                    WriteJson(env.IO.Out, planJson);
                }
                return proxmoxPlanExit;
            }
            if (!json)
            {
                PrintPlan(env.IO.Error, plan);
            }
            if (!plan.HasChanges)
            {
                await env.IO.Error.WriteLineAsync("no changes: the fleet matches the file");
            }
            var result = await new FleetApplier(client).ApplyAsync(plan, new ApplyOptions { Parallelism = Math.Max(1, parse.GetValue(parallelism)) }, new SyncProgress(env.IO.Error), ct);
            // A replaced server's host key is gone with it: forget it, so that SSH trusts whatever answers there next.
            var replaced = plan.Hosts.Where(h => h.Change == HostChange.Replace && h.Existing is not null)
                .SelectMany(h => new[] { h.Existing!.PublicNet.Ipv4?.Ip, h.Existing.PublicNet.Ipv6?.Ip }).OfType<string>().ToList();
            Drover.Core.Ssh.KnownHosts.Forget(env.Paths.KnownHostsFile, replaced);
            var resultJson = ResultJson(plan, result);
            var proxmoxExit = proxmox is null ? Common.Ok : await proxmox.RunAsync(resultJson, ct);
            if (json)
            {
                WriteJson(env.IO.Out, resultJson);
            }
            else
            {
                var table = new Table("HOST", "CHANGE", "ID", "IPV4", "IPV6", "IMAGE", "STATUS");
                foreach (var h in result.Hosts)
                {
                    table.Add(h.Host, h.CreatedByConcurrentRun ? "keep (concurrent run)" : Word(h.Change), h.Server?.Id.ToString(CultureInfo.InvariantCulture), h.Server?.PublicNet.Ipv4?.Ip, h.Server?.PublicNet.Ipv6?.Ip,
                        ImageText(h.Image), h.Error is null ? h.Server?.Status.Value : "failed");
                }
                table.Write(env.IO.Out);
            }
            foreach (var h in result.Hosts.Where(h => h.Error is not null))
            {
                await env.IO.Error.WriteLineAsync($"error: {h.Host}: {h.Error}");
            }
            var needs = result.Hosts.Count(h => h.Change == HostChange.NeedsReplace);
            if (needs > 0)
            {
                await env.IO.Error.WriteLineAsync($"{needs} host(s) need replacement and were left alone; run with --replace to re-create them");
            }
            return result.Failed || proxmoxExit != Common.Ok ? Common.Failure : Common.Ok;
        });
        return command;
    }

    private sealed class SyncProgress(TextWriter error) : IProgress<BootstrapProgress>
    {
        private readonly Lock _lock = new();

        public void Report(BootstrapProgress value)
        {
            lock (_lock)
            {
                error.WriteLine($"    {value.Host}: {value.Step}");
            }
        }
    }

    internal static string Word(HostChange change) => change switch
    {
        HostChange.Create => "create",
        HostChange.Keep => "keep",
        HostChange.Update => "update",
        HostChange.NeedsReplace => "needs-replace",
        _ => "replace",
    };

    private static string ImageText(Hcloud.Contracts.Image image) =>
        image.Name is { } name ? $"{name} ({image.Id})" : image.Id.ToString(CultureInfo.InvariantCulture);

    private static void PrintPlan(TextWriter w, BootstrapPlan plan)
    {
        w.WriteLine($"fleet {plan.Fleet.Name} ({plan.Fleet.Path}):");
        foreach (var key in plan.SshKeys)
        {
            w.WriteLine(key.Existing is { } k ? $"  ssh key {key.Spec.Name}: present as {k.Name} ({k.Id})" : $"  ssh key {key.Spec.Name}: upload ({key.Fingerprint})");
        }
        var table = new Table("HOST", "CHANGE", "SERVER", "IMAGE", "TYPE", "LOCATION", "WHY");
        foreach (var h in plan.Hosts)
        {
            table.Add(h.Host.Name, Word(h.Change), h.Existing?.Id.ToString(CultureInfo.InvariantCulture), ImageText(h.Image), h.ServerType.Name, h.Host.Location, string.Join("; ", h.Reasons));
        }
        table.Write(w);
        foreach (var s in plan.NotInFile)
        {
            w.WriteLine($"  server {s.Name} ({s.Id}) carries this fleet's label but its host is not in the file: left alone");
        }
        var counts = plan.Hosts.GroupBy(h => h.Change).OrderBy(g => g.Key).Select(g => $"{g.Count()} {Word(g.Key)}");
        w.WriteLine($"plan: {string.Join(", ", counts)}");
    }

    private static JsonObject PlanJson(BootstrapPlan plan) => new()
    {
        ["fleet"] = plan.Fleet.Name,
        ["changes"] = plan.HasChanges,
        ["ssh_keys"] = new JsonArray([.. plan.SshKeys.Select(k => (JsonNode)new JsonObject
        {
            ["name"] = k.Spec.Name,
            ["fingerprint"] = k.Fingerprint,
            ["id"] = k.Existing?.Id,
            ["action"] = k.Existing is null ? "upload" : "keep",
        })]),
        ["hosts"] = new JsonArray([.. plan.Hosts.Select(h => (JsonNode)new JsonObject
        {
            ["name"] = h.Host.Name,
            ["change"] = Word(h.Change),
            ["reasons"] = new JsonArray([.. h.Reasons.Select(r => (JsonNode)JsonValue.Create(r))]),
            ["server_id"] = h.Existing?.Id,
            ["image"] = new JsonObject { ["id"] = h.Image.Id, ["name"] = h.Image.Name, ["architecture"] = h.Image.Architecture.Value },
            ["server_type"] = h.ServerType.Name,
            ["location"] = h.Host.Location,
            ["labels"] = Labels(h.Labels),
        })]),
        ["not_in_file"] = new JsonArray([.. plan.NotInFile.Select(s => (JsonNode)new JsonObject { ["id"] = s.Id, ["name"] = s.Name })]),
        ["api_requests"] = plan.Requests,
    };

    private static JsonObject ResultJson(BootstrapPlan plan, BootstrapResult result) => new()
    {
        ["fleet"] = plan.Fleet.Name,
        ["hosts"] = new JsonArray([.. result.Hosts.Select(h => (JsonNode)new JsonObject
        {
            ["name"] = h.Host,
            ["change"] = Word(h.Change),
            ["concurrent_run"] = h.CreatedByConcurrentRun,
            ["id"] = h.Server?.Id,
            ["ipv4"] = h.Server?.PublicNet.Ipv4?.Ip,
            ["ipv6"] = h.Server?.PublicNet.Ipv6?.Ip,
            ["image"] = new JsonObject { ["id"] = h.Image.Id, ["name"] = h.Image.Name },
            ["status"] = h.Error is null ? h.Server?.Status.Value : "failed",
            ["error"] = h.Error,
            ["reasons"] = new JsonArray([.. h.Reasons.Select(r => (JsonNode)JsonValue.Create(r))]),
        })]),
        ["api_requests"] = plan.Requests + result.Requests,
        ["action_polls"] = result.ActionPolls,
    };

    private static JsonObject Labels(IReadOnlyDictionary<string, string> labels)
    {
        var o = new JsonObject();
        foreach (var (k, v) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            o[k] = v;
        }
        return o;
    }

    internal static void WriteJson(TextWriter w, JsonNode node) =>
        w.WriteLine(node.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
}
