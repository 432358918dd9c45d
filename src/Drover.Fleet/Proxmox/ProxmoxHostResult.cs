using Drover.Fleet.Bootstrap;

namespace Drover.Fleet.Proxmox;

/// <summary>One Proxmox host after bootstrap: its VM, where it answers, or why it failed (its VM then destroyed).</summary>
public sealed record ProxmoxHostResult
{
    public required string Host { get; init; }

    public required HostChange Change { get; init; }

    public int? VmId { get; init; }

    public string? Node { get; init; }

    /// <summary>The VM's IPv4 address: the static one, or what the guest agent reports; null if not known (yet).</summary>
    public string? Address { get; init; }

    public string? Error { get; init; }

    public IReadOnlyList<string> Reasons { get; init; } = [];
}
