namespace Drover.CloudInit;

/// <summary>The Crossplane provider whose managed resources a rendered Composition creates.</summary>
public enum CrossplaneProvider
{
    /// <summary>
    /// valkiriaaquatica/provider-proxmox-bpg (namespaced <c>.m.</c> groups): an <c>EnvironmentFile</c> snippet with the
    /// user-data and an <c>EnvironmentVM</c> cloned from a template whose <c>initialization</c> names it.
    /// </summary>
    ProxmoxBpg,

    /// <summary>miaits/provider-hetzner (namespaced <c>server.hetzner.m.crossplane.io</c>): a <c>Server</c> with the user-data.</summary>
    Hetzner,
}
