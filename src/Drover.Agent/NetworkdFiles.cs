using System.Text;

namespace Drover.Agent;

/// <summary>
/// systemd-networkd units for the metadata's NICs, each matched by MAC address (names differ between images):
/// the public NIC with DHCPv4 and the static IPv6 address and gateway, every private network with DHCP.
/// </summary>
internal static class NetworkdFiles
{
    /// <summary>File name → content, in the order they should be written.</summary>
    public static List<(string Name, string Content)> Render(HcloudMetadata metadata)
    {
        var files = new List<(string, string)>();
        var publicNics = metadata.Interfaces.Where(n => !metadata.PrivateNetworks.Any(p => p.MacAddress == n.MacAddress)).ToList();
        for (var i = 0; i < publicNics.Count; i++)
        {
            var name = i == 0 ? AgentPaths.PublicNetworkFile : $"10-drover-public-{i}.network";
            files.Add((name, Public(publicNics[i], "the metadata service's network-config (public interface)")));
        }

        for (var i = 0; i < metadata.PrivateNetworks.Count; i++)
        {
            var network = metadata.PrivateNetworks[i];
            files.Add((AgentPaths.PrivateNetworkFile(i, network.NetworkId), Private(network)));
        }

        return files;
    }

    /// <summary>The units for a NoCloud drive's NICs: <c>10-drover-nocloud-N.network</c>, in the document's order.</summary>
    public static List<(string Name, string Content)> RenderNoCloud(IReadOnlyList<PublicInterface> interfaces) =>
        [.. interfaces.Select((nic, i) => (NoCloudFile(i), Public(nic, "the NoCloud drive's network-config")))];

    public static string NoCloudFile(int index) => $"10-drover-nocloud-{index.ToString(System.Globalization.CultureInfo.InvariantCulture)}.network";

    private static string Public(PublicInterface nic, string source)
    {
        var text = new StringBuilder()
            .Append("# Written by drover-agent from ").Append(source).Append(".\n")
            .Append("[Match]\n")
            .Append(nic.MacAddress.Length > 0 ? "MACAddress=" : "Name=").Append(nic.MacAddress.Length > 0 ? nic.MacAddress : nic.MatchName).Append('\n')
            .Append('\n')
            .Append("[Network]\n")
            .Append("DHCP=").Append((nic.Dhcp4, nic.Dhcp6) switch
            {
                (true, true) => "yes",
                (true, false) => "ipv4",
                (false, true) => "ipv6",
                _ => "no",
            }).Append('\n');
        foreach (var address in nic.Addresses)
        {
            text.Append("Address=").Append(address).Append('\n');
        }

        foreach (var gateway in nic.Gateways)
        {
            text.Append("Gateway=").Append(gateway).Append('\n');
        }

        if (nic.AcceptRa)
        {
            text.Append("IPv6AcceptRA=yes\n");
        }

        foreach (var dns in nic.Dns)
        {
            text.Append("DNS=").Append(dns).Append('\n');
        }

        if (nic.Domains.Count > 0)
        {
            text.Append("Domains=").Append(string.Join(' ', nic.Domains)).Append('\n');
        }

        foreach (var (destination, gateway) in nic.Routes)
        {
            text.Append("\n[Route]\nDestination=").Append(destination).Append("\nGateway=").Append(gateway).Append('\n');
        }

        return text.ToString();
    }

    private static string Private(PrivateNetwork network)
    {
        var text = new StringBuilder()
            .Append("# Written by drover-agent from the metadata service's private-networks");
        if (network.NetworkName is not null || network.NetworkId is not null)
        {
            text.Append(" (").Append(network.NetworkName ?? "network").Append(network.NetworkId is { } id ? $" {id}" : "").Append(')');
        }

        return text.Append(".\n")
            .Append("[Match]\n")
            .Append("MACAddress=").Append(network.MacAddress).Append('\n')
            .Append('\n')
            .Append("[Network]\n")
            .Append("DHCP=ipv4\n")
            .Append('\n')
            .Append("[DHCPv4]\n")
            .Append("# Routes from here lose against the public interface's (metric 1024); private-only servers still get one.\n")
            .Append("RouteMetric=2048\n")
            .ToString();
    }
}
