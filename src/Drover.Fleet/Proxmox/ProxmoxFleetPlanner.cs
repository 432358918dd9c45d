using Drover.Fleet.Bootstrap;
using Drover.Fleet.Config;
using Drover.Proxmox;
using Drover.Proxmox.Contracts;

namespace Drover.Fleet.Proxmox;

/// <summary>
/// Plans the Proxmox hosts of a fleet (<c>hosts.NAME.proxmox</c>): renders each host's user-data, finds its template
/// (by VMID or name) and node, checks the snippet storage, and compares with the VMs tagged with the fleet and host:
/// create, keep, or needs-replace when the template or the first-boot settings changed (replace with
/// <c>replace</c>). Every problem of the file or the cluster is reported at once, before anything changes.
/// </summary>
public sealed class ProxmoxFleetPlanner(ProxmoxClient client)
{
    public async Task<ProxmoxBootstrapPlan> PlanAsync(FleetFile fleet, IReadOnlyCollection<string>? hostNames, bool replace, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        var diagnostics = new PlanDiagnostics(fleet);
        var selected = Select(fleet, hostNames);
        var userData = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var host in selected)
        {
            try
            {
                userData[host.Name] = HostUserData.Render(fleet, host).Content;
            }
            catch (FleetConfigException e)
            {
                diagnostics.AddRange(e.Diagnostics);
            }
        }
        diagnostics.ThrowIfAny();
        if (selected.Count == 0)
        {
            return new ProxmoxBootstrapPlan(fleet, [], []);
        }

        var vms = await client.Cluster.ListVmsAsync(cancellationToken);
        var nodes = (await client.Nodes.ListAsync(cancellationToken)).Select(n => n.Node).ToList();
        var fleetTag = ProxmoxFleetTags.Fleet(fleet.Name);
        var ours = vms.Where(v => v.Template != true && v.TagList.Contains(fleetTag)).ToList();
        var plans = new List<ProxmoxHostPlan>();
        var snippetChecks = new Dictionary<(string Node, string Storage), string?>();
        foreach (var host in selected)
        {
            var field = $"hosts.{host.Name}.proxmox";
            var p = host.Proxmox!;
            var template = FindTemplate(vms, p.Template, out var problem);
            if (template is null)
            {
                diagnostics.Add($"{field}.template", problem!);
                continue;
            }
            var node = p.Node ?? template.Node;
            if (node is null)
            {
                diagnostics.Add($"{field}.node", $"no node: the cluster does not say where template {template.VmId} is; set '{field}.node'");
                continue;
            }
            if (!nodes.Contains(node))
            {
                diagnostics.Add($"{field}.node", $"node '{node}' is not in the cluster (its nodes: {string.Join(", ", nodes)})");
                continue;
            }
            if (template.Node is { } templateNode && templateNode != node
                && await UnsharedTemplateStorageAsync(templateNode, template.VmId!.Value, cancellationToken) is { } unshared)
            {
                diagnostics.Add($"{field}.node", $"template {template.VmId} is on node '{templateNode}' and its disk on storage '{unshared}', which is not shared: Proxmox clones to another node only from shared storage; clone on '{templateNode}' or keep the template on shared storage");
                continue;
            }
            if (!snippetChecks.TryGetValue((node, p.Snippets), out var snippetProblem))
            {
                snippetProblem = await CheckSnippetsAsync(node, p.Snippets, cancellationToken);
                snippetChecks[(node, p.Snippets)] = snippetProblem;
            }
            if (snippetProblem is not null)
            {
                diagnostics.Add($"{field}.snippets", snippetProblem);
                continue;
            }
            if (p.VmId is { } wanted && vms.FirstOrDefault(v => v.VmId == wanted) is { } taken
                && !(taken.TagList.Contains(fleetTag) && taken.TagList.Contains(ProxmoxFleetTags.Host(host.Name))))
            {
                diagnostics.Add($"{field}.vmid", $"VMID {wanted} is taken by '{taken.Name}' on {taken.Node}, which is not this host's VM");
                continue;
            }
            var hostTag = ProxmoxFleetTags.Host(host.Name);
            var existing = ours.Where(v => v.TagList.Contains(hostTag)).ToList();
            if (existing.Count > 1)
            {
                diagnostics.Add(field, $"{existing.Count} VMs carry this host's tags ({string.Join(", ", existing.Select(v => v.VmId))}); delete all but one");
                continue;
            }
            var configTag = ProxmoxFleetTags.Config(host, userData[host.Name]);
            var tags = new List<string> { ProxmoxFleetTags.Drover, fleetTag, hostTag, ProxmoxFleetTags.Template(template.VmId!.Value), configTag };
            var reasons = new List<string>();
            if (existing.FirstOrDefault() is { } vm)
            {
                var hadTemplate = ProxmoxFleetTags.Find(vm.TagList, ProxmoxFleetTags.TemplatePrefix);
                if (hadTemplate != template.VmId.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))
                {
                    reasons.Add($"template {hadTemplate ?? "?"} → {template.VmId}");
                }
                if (!vm.TagList.Contains(configTag))
                {
                    reasons.Add("user-data or cloud-init settings changed");
                }
                if (vm.Node != node)
                {
                    reasons.Add($"node {vm.Node} → {node}");
                }
                if (p.VmId is { } pinned && vm.VmId != pinned)
                {
                    reasons.Add($"vmid {vm.VmId} → {pinned}");
                }
            }
            plans.Add(new ProxmoxHostPlan
            {
                Host = host,
                Change = existing.Count == 0 ? HostChange.Create : reasons.Count == 0 ? HostChange.Keep : replace ? HostChange.Replace : HostChange.NeedsReplace,
                Node = node,
                Template = template,
                Existing = existing.FirstOrDefault(),
                UserData = userData[host.Name],
                Tags = tags,
                Reasons = reasons,
            });
        }
        diagnostics.ThrowIfAny();
        var named = fleet.Hosts.Select(h => ProxmoxFleetTags.Host(h.Name)).ToHashSet(StringComparer.Ordinal);
        var notInFile = ours.Where(v => !v.TagList.Any(named.Contains)).ToList();
        return new ProxmoxBootstrapPlan(fleet, plans, notInFile);
    }

    /// <summary>The Proxmox hosts among <paramref name="hostNames"/> (all of them when none are named).</summary>
    private static List<HostSpec> Select(FleetFile fleet, IReadOnlyCollection<string>? hostNames)
        => [.. fleet.Hosts.Where(h => h.Proxmox is not null && (hostNames is null || hostNames.Count == 0 || hostNames.Contains(h.Name)))];

    private static ClusterResource? FindTemplate(IReadOnlyList<ClusterResource> vms, string template, out string? problem)
    {
        problem = null;
        if (ProxmoxSection.IsVmId(template))
        {
            var id = int.Parse(template, System.Globalization.CultureInfo.InvariantCulture);
            var vm = vms.FirstOrDefault(v => v.VmId == id);
            problem = vm is null ? $"template {id} does not exist on the cluster (make one with 'drover proxmox template')"
                : vm.Template != true ? $"VM {id} ({vm.Name}) is not a template" : null;
            return problem is null ? vm : null;
        }
        var byName = vms.Where(v => v.Template == true && string.Equals(v.Name, template, StringComparison.Ordinal)).ToList();
        problem = byName.Count switch
        {
            0 => $"no template named '{template}' on the cluster (templates: {string.Join(", ", vms.Where(v => v.Template == true).Select(v => $"{v.VmId} {v.Name}"))})",
            1 => null,
            _ => $"{byName.Count} templates are named '{template}' ({string.Join(", ", byName.Select(v => v.VmId))}); name it by VMID",
        };
        return problem is null ? byName[0] : null;
    }

    /// <summary>The storage of the template's disks that is not shared (null when all are, or it cannot be told).</summary>
    private async Task<string?> UnsharedTemplateStorageAsync(string node, int vmid, CancellationToken cancellationToken)
    {
        var config = await client.Qemu.GetConfigAsync(node, vmid, cancellationToken: cancellationToken);
        var storages = config.Raw
            .Where(p => System.Text.RegularExpressions.Regex.IsMatch(p.Key, "^(scsi|virtio|sata|ide|efidisk|tpmstate)[0-9]+$") && !p.Value.Contains("media=cdrom", StringComparison.Ordinal) && !p.Value.Contains("cloudinit", StringComparison.Ordinal))
            .Select(p => p.Value.Split(',')[0])
            .Where(v => v.Contains(':', StringComparison.Ordinal))
            .Select(v => v[..v.IndexOf(':', StringComparison.Ordinal)])
            .Distinct(StringComparer.Ordinal);
        foreach (var storage in storages)
        {
            if (await client.Storage.GetAsync(node, storage, cancellationToken) is { Shared: not true })
            {
                return storage;
            }
        }
        return null;
    }

    private async Task<string?> CheckSnippetsAsync(string node, string storage, CancellationToken cancellationToken)
    {
        var summary = await client.Storage.GetAsync(node, storage, cancellationToken);
        if (summary is null)
        {
            return $"storage '{storage}' is not on node '{node}'";
        }
        return summary.ContentTypes.Contains(StorageContent.Snippets)
            ? null
            : $"storage '{storage}' on node '{node}' does not hold snippets (its content: {summary.Content}); the user-data goes there as a cicustom snippet: enable 'snippets' on it or choose another storage";
    }
}
