using Drover.Hcloud.Contracts;

namespace Drover.Fleet.Bootstrap;

/// <summary>The selected hosts of a fleet file and its SSH keys, with every name the file uses resolved against the cloud.</summary>
internal sealed record ResolvedFleet(IReadOnlyList<ResolvedHost> Hosts, IReadOnlyList<SshKeyPlan> SshKeys);

/// <summary>One host with its rendered user-data and the cloud's server type, image, networks, firewalls and volumes.</summary>
internal sealed record ResolvedHost(
    Config.HostSpec Host, string UserData, ServerType ServerType, Image Image, long[] NetworkIds, long[] FirewallIds, long[] VolumeIds);
