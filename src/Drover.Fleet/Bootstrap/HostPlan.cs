using Drover.Fleet.Config;
using Drover.Hcloud.Contracts;

namespace Drover.Fleet.Bootstrap;

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
