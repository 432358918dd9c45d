using System.Globalization;
using Drover.Fleet.Config;
using Drover.Hcloud.Contracts;

namespace Drover.Fleet.Bootstrap;

/// <summary>
/// A host of the file next to the server that exists for it (if any): the labels it should carry, the change that makes
/// the two match, why, and the networks, firewalls and volumes to add in place.
/// </summary>
internal sealed record HostComparison(
    ResolvedHost Resolved, Server? Existing, IReadOnlyDictionary<string, string> Labels, HostChange Change, IReadOnlyList<string> Reasons, AttachmentDrift? Drift)
{
    /// <summary>Compares <paramref name="host"/> with <paramref name="existing"/>; <paramref name="replace"/> turns needs-replace into replace.</summary>
    public static HostComparison Of(FleetFile fleet, ResolvedHost host, Server? existing, bool replace)
    {
        var labels = FleetPlanner.DesiredLabels(fleet, host.Host, host.UserData);
        var (change, reasons) = Decide(existing, host, labels, replace);
        var drift = change == HostChange.Keep || change == HostChange.Update ? AttachmentDrift.Of(existing!, host) : null;
        if (drift is not null && (drift.Networks.Count + drift.Firewalls.Count + drift.Volumes.Count) > 0)
        {
            change = HostChange.Update;
            reasons = [.. reasons, .. drift.Reasons];
        }
        return new HostComparison(host, existing, labels, change, reasons, drift);
    }

    /// <summary>
    /// Create without a server; needs-replace (or replace) when it differs in what only a new server changes (image,
    /// type, location, user-data); update when only its labels drifted; else keep.
    /// </summary>
    private static (HostChange, IReadOnlyList<string>) Decide(Server? existing, ResolvedHost host, IReadOnlyDictionary<string, string> labels, bool replace)
    {
        if (existing is null)
        {
            return (HostChange.Create, []);
        }
        var (image, type) = (host.Image, host.ServerType);
        var reasons = new List<string>();
        if (existing.Image?.Id != image.Id)
        {
            reasons.Add($"image {existing.Image?.Id.ToString(CultureInfo.InvariantCulture) ?? "(deleted)"} → {image.Id}");
        }
        if (existing.ServerType.Name != type.Name)
        {
            reasons.Add($"server type {existing.ServerType.Name} → {type.Name}");
        }
        if (existing.Location.Name != host.Host.Location)
        {
            reasons.Add($"location {existing.Location.Name} → {host.Host.Location}");
        }
        if (existing.Labels.GetValueOrDefault(FleetPlanner.UserDataLabel) is { } hash && hash != labels[FleetPlanner.UserDataLabel])
        {
            reasons.Add("user-data changed (it only applies at first boot)");
        }
        if (reasons.Count > 0)
        {
            return (replace ? HostChange.Replace : HostChange.NeedsReplace, reasons);
        }
        var drifted = labels.Where(l => existing.Labels.GetValueOrDefault(l.Key) != l.Value).Select(l => l.Key).ToList();
        if (drifted.Count > 0)
        {
            return (HostChange.Update, [$"labels differ: {string.Join(", ", drifted)}"]);
        }
        return (HostChange.Keep, []);
    }
}

/// <summary>
/// What the file attaches that the existing server lacks: networks, firewalls, volumes. Additive, like labels:
/// attachments the file does not name (made by hand, or by a firewall's label selector) are left alone.
/// </summary>
internal sealed record AttachmentDrift(IReadOnlyList<long> Networks, IReadOnlyList<long> Firewalls, IReadOnlyList<long> Volumes, IReadOnlyList<string> Reasons)
{
    public static AttachmentDrift Of(Server existing, ResolvedHost resolved)
    {
        var host = resolved.Host;
        var reasons = new List<string>();
        List<long> Missing(string kind, IReadOnlyList<string> references, IReadOnlyList<long> wanted, IEnumerable<long> present, string verb)
        {
            var have = present.ToHashSet();
            var missing = new List<long>();
            for (var i = 0; i < wanted.Count; i++)
            {
                if (!have.Contains(wanted[i]) && !missing.Contains(wanted[i]))
                {
                    missing.Add(wanted[i]);
                    var reference = references[i];
                    reasons.Add(reference == wanted[i].ToString(CultureInfo.InvariantCulture)
                        ? $"{verb} {kind} {wanted[i]}"
                        : $"{verb} {kind} {reference} ({wanted[i]})");
                }
            }
            return missing;
        }
        var n = Missing("network", host.Networks, resolved.NetworkIds, existing.PrivateNet.Select(p => p.Network), "attach");
        var f = Missing("firewall", host.Firewalls, resolved.FirewallIds, existing.PublicNet.Firewalls.Select(p => p.Id), "apply");
        var v = Missing("volume", host.Volumes, resolved.VolumeIds, existing.Volumes, "attach");
        return new AttachmentDrift(n, f, v, reasons);
    }
}
