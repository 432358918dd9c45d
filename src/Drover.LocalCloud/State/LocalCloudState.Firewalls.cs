using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Http;

namespace Drover.LocalCloud.State;

public sealed partial class LocalCloudState
{
    public IReadOnlyList<Firewall> Firewalls() => [.. _doc.Firewalls.Select(ViewFirewall)];

    public Firewall? FindFirewall(long id) => _doc.Firewalls.FirstOrDefault(f => f.Id == id);

    public Firewall GetFirewall(long id) => ViewFirewall(FindFirewall(id) ?? throw ApiException.NotFound("firewall"));

    private Firewall ViewFirewall(Firewall f) => f with
    {
        AppliedTo = [.. f.AppliedTo.Select(a => a.Type != "label_selector" ? a : a with
        {
            AppliedToResources = [.. _doc.Servers
                .Where(s => Hcloud.Labels.LabelSelector.TryParse(a.LabelSelector!.Selector, out var sel, out _) && sel!.Matches(s.Server.Labels))
                .Select(s => new FirewallResource { Type = "server", Server = new ResourceId { Id = s.Server.Id } })],
        })],
    };

    public CreateFirewallResult CreateFirewall(CreateFirewallRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 128)
        {
            throw Invalid("name", "must have 1 to 128 characters");
        }
        if (_doc.Firewalls.Any(f => f.Name == request.Name))
        {
            throw ApiException.Uniqueness("name", "firewall name is already used");
        }
        ValidateLabels(request.Labels);
        var rules = Normalize(request.Rules ?? []);
        ValidateRules(rules);
        foreach (var target in request.ApplyTo ?? [])
        {
            ValidateTarget(target);
        }
        var firewall = new Firewall { Id = NextId(), Name = request.Name, Labels = request.Labels ?? new Dictionary<string, string>(), Created = Now, Rules = rules };
        _doc.Firewalls.Add(firewall);
        var actions = new List<CloudAction>();
        foreach (var target in request.ApplyTo ?? [])
        {
            actions.Add(ApplyFirewallTo(firewall.Id, target));
        }
        return new CreateFirewallResult { Firewall = GetFirewall(firewall.Id), Actions = actions };
    }

    public Firewall UpdateFirewall(long id, UpdateFirewallRequest request)
    {
        var firewall = FindFirewall(id) ?? throw ApiException.NotFound("firewall");
        ValidateLabels(request.Labels);
        if (request.Name is { } name && _doc.Firewalls.Any(f => f.Name == name && f.Id != id))
        {
            throw ApiException.Uniqueness("name", "firewall name is already used");
        }
        Replace(_doc.Firewalls, f => f.Id == id, firewall with { Name = request.Name ?? firewall.Name, Labels = request.Labels ?? firewall.Labels });
        return GetFirewall(id);
    }

    public void DeleteFirewall(long id)
    {
        var firewall = FindFirewall(id) ?? throw ApiException.NotFound("firewall");
        if (firewall.AppliedTo.Count > 0)
        {
            throw new ApiException(422, "resource_in_use", "firewall is still applied to resources");
        }
        _doc.Firewalls.Remove(firewall);
        Touch();
    }

    public IReadOnlyList<CloudAction> ApplyFirewall(long id, IReadOnlyList<FirewallResource> targets)
    {
        var firewall = FindFirewall(id) ?? throw ApiException.NotFound("firewall");
        // All targets are checked before any is applied: a failed request changes nothing.
        foreach (var target in targets)
        {
            ValidateTarget(target);
            if (firewall.AppliedTo.Any(a => SameTarget(a, target)) || targets.Count(t => SameTarget(t, target)) > 1)
            {
                throw new ApiException(422, "firewall_already_applied", "firewall is already applied to this resource");
            }
        }
        return [.. targets.Select(t => ApplyFirewallTo(id, t))];
    }

    public IReadOnlyList<CloudAction> RemoveFirewall(long id, IReadOnlyList<FirewallResource> targets)
    {
        var firewall = FindFirewall(id) ?? throw ApiException.NotFound("firewall");
        var remaining = firewall.AppliedTo.Where(a => !targets.Any(t => SameTarget(a, t))).ToList();
        Replace(_doc.Firewalls, f => f.Id == id, firewall with { AppliedTo = remaining });
        return [.. targets.Select(t => View(StartAction("remove_firewall", FirewallResources(id, t))))];
    }

    public IReadOnlyList<CloudAction> SetFirewallRules(long id, IReadOnlyList<FirewallRule> rules)
    {
        var firewall = FindFirewall(id) ?? throw ApiException.NotFound("firewall");
        rules = Normalize(rules);
        ValidateRules(rules);
        Replace(_doc.Firewalls, f => f.Id == id, firewall with { Rules = rules });
        return [View(StartAction("set_firewall_rules", [new ActionResource { Id = id, Type = "firewall" }]))];
    }

    private void ValidateTarget(FirewallResource target)
    {
        switch (target?.Type)
        {
            case "server":
                var serverId = target.Server?.Id ?? throw Invalid("apply_to", "server.id is required for type server");
                _ = FindServer(serverId) ?? throw Invalid("apply_to", $"server {serverId} not found");
                break;
            case "label_selector":
                var selector = target.LabelSelector?.Selector ?? throw Invalid("apply_to", "label_selector.selector is required");
                if (!Hcloud.Labels.LabelSelector.TryParse(selector, out _, out var error))
                {
                    throw Invalid("apply_to", error!.Message);
                }
                break;
            default:
                throw Invalid("apply_to", $"type '{target?.Type}' is not one of server, label_selector");
        }
    }

    private CloudAction ApplyFirewallTo(long id, FirewallResource target)
    {
        var firewall = FindFirewall(id)!;
        ValidateTarget(target);
        if (firewall.AppliedTo.Any(a => SameTarget(a, target)))
        {
            throw new ApiException(422, "firewall_already_applied", "firewall is already applied to this resource");
        }
        var clean = new FirewallResource { Type = target.Type, Server = target.Server, LabelSelector = target.LabelSelector };
        Replace(_doc.Firewalls, f => f.Id == id, firewall with { AppliedTo = [.. firewall.AppliedTo, clean] });
        return View(StartAction("apply_firewall", FirewallResources(id, target)));
    }

    private static List<ActionResource> FirewallResources(long id, FirewallResource target)
    {
        List<ActionResource> resources = [new() { Id = id, Type = "firewall" }];
        if (target.Server is { } s)
        {
            resources.Add(ServerResource(s.Id));
        }
        return resources;
    }

    private static bool SameTarget(FirewallResource a, FirewallResource b)
        => a.Type == b.Type && a.Server?.Id == b.Server?.Id && a.LabelSelector?.Selector == b.LabelSelector?.Selector;

    private void RemoveServerFromFirewalls(long serverId)
    {
        for (var i = 0; i < _doc.Firewalls.Count; i++)
        {
            var f = _doc.Firewalls[i];
            _doc.Firewalls[i] = f with { AppliedTo = [.. f.AppliedTo.Where(a => a.Server?.Id != serverId)] };
        }
        Touch();
    }

    /// <summary>
    /// Rules as the API shows them: a rule read from a request without <c>source_ips</c> or <c>destination_ips</c> has
    /// null there (source-generated deserialization skips the init defaults), but the API always shows a list.
    /// </summary>
    private static List<FirewallRule> Normalize(IReadOnlyList<FirewallRule> rules)
        => [.. rules.Select(r => r with { SourceIps = r.SourceIps ?? [], DestinationIps = r.DestinationIps ?? [] })];

    private static void ValidateRules(IReadOnlyList<FirewallRule> rules)
    {
        foreach (var rule in rules)
        {
            if (rule.Direction is not ("in" or "out"))
            {
                throw Invalid("rules", $"direction '{rule.Direction}' is not one of in, out");
            }
            if (rule.Protocol is not ("tcp" or "udp" or "icmp" or "esp" or "gre"))
            {
                throw Invalid("rules", $"protocol '{rule.Protocol}' is not one of tcp, udp, icmp, esp, gre");
            }
            if (rule.Protocol is "tcp" or "udp" && string.IsNullOrEmpty(rule.Port))
            {
                throw Invalid("rules", $"a {rule.Protocol} rule needs a port");
            }
            if (rule.Direction == "in" ? rule.SourceIps.Count == 0 : rule.DestinationIps.Count == 0)
            {
                throw Invalid("rules", rule.Direction == "in" ? "an in rule needs source_ips" : "an out rule needs destination_ips");
            }
        }
    }
}
