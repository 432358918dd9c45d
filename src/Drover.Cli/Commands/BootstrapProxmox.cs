using System.Globalization;
using System.Text.Json.Nodes;
using Drover.Cli.Output;
using Drover.Fleet.Bootstrap;
using Drover.Fleet.Config;
using Drover.Fleet.Proxmox;
using Microsoft.Extensions.Logging;

namespace Drover.Cli.Commands;

/// <summary>
/// The Proxmox hosts of <c>drover bootstrap</c> (<c>hosts.NAME.proxmox</c>): planned and applied against the Proxmox VE
/// that <see cref="ProxmoxConnector"/> resolves, printed as their own table (json: a <c>proxmox</c> object, or the
/// whole document when the fleet has no Hetzner host).
/// </summary>
internal sealed class BootstrapProxmox(CliEnv env, FleetFile fleet, string[] names, bool replace, bool planOnly, bool json, int parallelism)
{
    private (Drover.Proxmox.ProxmoxClient Client, ProxmoxTarget Target, ProxmoxBootstrapPlan Plan)? _planned;

    /// <summary>Connects and plans: before anything changes on either cloud, so that a bad Proxmox host stops the whole run.</summary>
    public async Task PlanAsync(CancellationToken ct)
    {
        var (client, target) = await env.Proxmox.ConnectAsync(null, null, ct);
        _planned = (client, target, await new ProxmoxFleetPlanner(client).PlanAsync(fleet, names, replace, ct));
    }

    /// <summary>Plans if not yet done, and unless --plan applies; adds its part to <paramref name="document"/> or, when null, prints its own.</summary>
    public async Task<int> RunAsync(JsonObject? document, CancellationToken ct)
    {
        if (_planned is null)
        {
            await PlanAsync(ct);
        }
        var (client, target, plan) = _planned!.Value;
        var part = new JsonObject { ["endpoint"] = target.Options.Endpoint.ToString(), ["source"] = target.Source };
        if (!json)
        {
            PrintPlan(planOnly ? env.IO.Out : env.IO.Error, plan);
        }
        int exit = Common.Ok;
        if (planOnly)
        {
            part["hosts"] = new JsonArray([.. plan.Hosts.Select(h => (JsonNode)new JsonObject
            {
                ["name"] = h.Host.Name,
                ["change"] = BootstrapCommand.Word(h.Change),
                ["reasons"] = new JsonArray([.. h.Reasons.Select(r => (JsonNode)JsonValue.Create(r))]),
                ["vmid"] = h.Existing?.VmId,
                ["node"] = h.Node,
                ["template"] = h.Template.VmId,
                ["tags"] = new JsonArray([.. h.Tags.Select(t => (JsonNode)JsonValue.Create(t))]),
            })]);
        }
        else
        {
            if (!plan.HasChanges)
            {
                await env.IO.Error.WriteLineAsync("no changes: the fleet's Proxmox VMs match the file");
            }
            var applier = new ProxmoxFleetApplier(client, env.Proxmox.Snippets(target, client), env.Logging.CreateLogger<ProxmoxFleetApplier>());
            var results = await applier.ApplyAsync(plan, parallelism, new Progress(env.IO.Error), ct);
            // A new VM's address (DHCP ones are handed out again) has no host key on record that could still be its own.
            Drover.Core.Ssh.KnownHosts.Forget(env.Paths.KnownHostsFile,
                [.. results.Where(r => r.Change is HostChange.Create or HostChange.Replace && r.Error is null).Select(r => r.Address).OfType<string>()]);
            part["hosts"] = new JsonArray([.. results.Select(r => (JsonNode)new JsonObject
            {
                ["name"] = r.Host,
                ["change"] = BootstrapCommand.Word(r.Change),
                ["vmid"] = r.VmId,
                ["node"] = r.Node,
                ["address"] = r.Address,
                ["status"] = r.Error is null ? "ok" : "failed",
                ["error"] = r.Error,
                ["reasons"] = new JsonArray([.. r.Reasons.Select(x => (JsonNode)JsonValue.Create(x))]),
            })]);
            if (!json)
            {
                var table = new Table("HOST", "CHANGE", "VMID", "NODE", "ADDRESS", "STATUS");
                foreach (var r in results)
                {
                    table.Add(r.Host, BootstrapCommand.Word(r.Change), r.VmId?.ToString(CultureInfo.InvariantCulture), r.Node, r.Address, r.Error is null ? "ok" : "failed");
                }
                table.Write(env.IO.Out);
            }
            foreach (var r in results.Where(r => r.Error is not null))
            {
                await env.IO.Error.WriteLineAsync($"error: {r.Host}: {r.Error}");
            }
            var needs = results.Count(r => r.Change == HostChange.NeedsReplace);
            if (needs > 0)
            {
                await env.IO.Error.WriteLineAsync($"{needs} Proxmox host(s) need replacement and were left alone; run with --replace to re-create them");
            }
            exit = results.Any(r => r.Error is not null) ? Common.Failure : Common.Ok;
        }
        part["not_in_file"] = new JsonArray([.. plan.NotInFile.Select(v => (JsonNode)new JsonObject { ["vmid"] = v.VmId, ["name"] = v.Name })]);
        if (document is not null)
        {
            document["proxmox"] = part;
        }
        else if (json)
        {
            part["fleet"] = fleet.Name;
            BootstrapCommand.WriteJson(env.IO.Out, part);
        }
        return exit;
    }

    private static void PrintPlan(TextWriter w, ProxmoxBootstrapPlan plan)
    {
        w.WriteLine($"fleet {plan.Fleet.Name} on Proxmox VE:");
        var table = new Table("HOST", "CHANGE", "VMID", "NODE", "TEMPLATE", "WHY");
        foreach (var h in plan.Hosts)
        {
            table.Add(h.Host.Name, BootstrapCommand.Word(h.Change), h.Existing?.VmId?.ToString(CultureInfo.InvariantCulture), h.Node,
                $"{h.Template.VmId} {h.Template.Name}", string.Join("; ", h.Reasons));
        }
        table.Write(w);
        foreach (var v in plan.NotInFile)
        {
            w.WriteLine($"  VM {v.VmId} ({v.Name}) carries this fleet's tag but its host is not in the file: left alone");
        }
    }

    private sealed class Progress(TextWriter error) : IProgress<BootstrapProgress>
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
}
