namespace Drover.Fleet.Config;

/// <summary>A static address for the template placeholders (Proxmox/QEMU style hosts).</summary>
public sealed record StaticNetworkSpec
{
    public string Interface { get; init; } = "eth0";

    /// <summary>The address with its prefix length, e.g. <c>10.0.0.5/24</c>.</summary>
    public required string Address { get; init; }

    public string? Gateway { get; init; }

    public IReadOnlyList<string> Dns { get; init; } = [];
}
