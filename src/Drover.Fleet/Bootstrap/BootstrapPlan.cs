using Drover.Fleet.Config;
using Drover.Hcloud.Contracts;

namespace Drover.Fleet.Bootstrap;

/// <summary>What bootstrap does to one host.</summary>
public enum HostChange
{
    /// <summary>No server yet: create it.</summary>
    Create,

    /// <summary>The server matches the file: nothing to do.</summary>
    Keep,

    /// <summary>The server matches but its labels drifted: update them in place.</summary>
    Update,

    /// <summary>The server differs in something only a new server can change (image, type, location, user-data); left alone without <c>--replace</c>.</summary>
    NeedsReplace,

    /// <summary>As <see cref="NeedsReplace"/>, and <c>--replace</c> was given: delete it, then create it anew.</summary>
    Replace,
}

/// <summary>The plan for one host, with everything resolved that apply needs.</summary>
public sealed record HostPlan
{
    public required HostSpec Host { get; init; }
    public required HostChange Change { get; init; }

    /// <summary>Why the change (image 12 → 34, labels differ, …); empty for create and keep.</summary>
    public IReadOnlyList<string> Reasons { get; init; } = [];

    /// <summary>The image the host is (or will be) created from.</summary>
    public required Image Image { get; init; }

    public required ServerType ServerType { get; init; }

    /// <summary>The server that exists for this host now, if any.</summary>
    public Server? Existing { get; init; }

    /// <summary>The rendered user-data.</summary>
    public required string UserData { get; init; }

    /// <summary>Every label the server should carry (the host's, plus drover/fleet, drover/host, …).</summary>
    public required IReadOnlyDictionary<string, string> Labels { get; init; }

    public IReadOnlyList<long> NetworkIds { get; init; } = [];
    public IReadOnlyList<long> FirewallIds { get; init; } = [];
    public IReadOnlyList<long> VolumeIds { get; init; } = [];

    /// <summary>For an update: whether the labels differ from <see cref="Labels"/>.</summary>
    public bool LabelsDiffer { get; init; }

    /// <summary>For an update: networks of the file the existing server is not attached to (attached in place).</summary>
    public IReadOnlyList<long> AttachNetworks { get; init; } = [];

    /// <summary>For an update: firewalls of the file not applied to the existing server (applied in place).</summary>
    public IReadOnlyList<long> ApplyFirewalls { get; init; } = [];

    /// <summary>For an update: volumes of the file not attached to the existing server (attached in place).</summary>
    public IReadOnlyList<long> AttachVolumes { get; init; } = [];
}

/// <summary>An SSH key of the fleet: found in the project by fingerprint, or to be uploaded.</summary>
public sealed record SshKeyPlan(SshKeySpec Spec, string Fingerprint, SshKey? Existing);

/// <summary>The whole plan: per host, the keys, and servers of the fleet the file no longer names (never touched).</summary>
public sealed record BootstrapPlan
{
    public required FleetFile Fleet { get; init; }
    public required IReadOnlyList<HostPlan> Hosts { get; init; }
    public required IReadOnlyList<SshKeyPlan> SshKeys { get; init; }

    /// <summary>Servers labelled with this fleet whose host is not in the file (or was not selected): reported, never deleted.</summary>
    public IReadOnlyList<Server> NotInFile { get; init; } = [];

    /// <summary>API requests the plan took.</summary>
    public long Requests { get; init; }

    public bool HasChanges => Hosts.Any(h => h.Change is HostChange.Create or HostChange.Update or HostChange.Replace)
        || SshKeys.Any(k => k.Existing is null);
}
