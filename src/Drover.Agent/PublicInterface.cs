using System.Globalization;
using System.Net;
using YamlDotNet.RepresentationModel;

namespace Drover.Agent;

/// <summary>
/// One physical NIC from a cloud-init network v1 document (Hetzner's <c>network-config</c>, a NoCloud drive's): DHCP
/// flags and static addresses, gateways and DNS servers. An alias entry without a MAC (<c>eth0:0</c> on older servers)
/// joins its base NIC. Version 2 documents fill the same shape (<see cref="NetworkConfigV2"/>); there a NIC without a
/// MAC address (empty <see cref="MacAddress"/>) is matched by <see cref="MatchName"/>.
/// </summary>
internal sealed record PublicInterface(string MacAddress, string? Name)
{
    public bool Dhcp4 { get; set; }
    public bool Dhcp6 { get; set; }

    /// <summary>Accept router advertisements (SLAAC): v1 <c>ipv6_slaac</c>, v2 <c>accept-ra: true</c>.</summary>
    public bool AcceptRa { get; set; }

    /// <summary>The interface name to match when there is no MAC address (v2 <c>match.name</c> or the entry's id).</summary>
    public string? MatchName { get; init; }

    public List<string> Addresses { get; } = [];
    public List<string> Gateways { get; } = [];
    public List<string> Dns { get; } = [];

    /// <summary>DNS search domains (v1 <c>dns_search</c> and <c>nameserver</c> entries, v2 <c>nameservers.search</c>).</summary>
    public List<string> Domains { get; } = [];

    /// <summary>Routes other than the default route: destination (CIDR) and gateway.</summary>
    public List<(string Destination, string Gateway)> Routes { get; } = [];

    public static List<PublicInterface> FromNetworkConfig(YamlNode? networkConfig)
    {
        var result = new List<PublicInterface>();
        if (YamlJson.Get(networkConfig, "config") is not YamlSequenceNode entries)
        {
            return result;
        }

        var byName = new Dictionary<string, PublicInterface>(StringComparer.Ordinal);
        var globalDns = new List<string>();
        var globalSearch = new List<string>();
        foreach (var entry in entries.Children)
        {
            var type = YamlJson.Text(YamlJson.Get(entry, "type"));
            if (type == "nameserver")
            {
                // Proxmox writes one of these after the NICs ({address: [..], search: [..]}): every NIC gets them.
                globalDns.AddRange(Strings(YamlJson.Get(entry, "address")));
                globalSearch.AddRange(Strings(YamlJson.Get(entry, "search")));
                continue;
            }

            if (type != "physical")
            {
                continue;
            }

            var name = YamlJson.Text(YamlJson.Get(entry, "name"));
            var mac = YamlJson.Text(YamlJson.Get(entry, "mac_address"))?.Trim().ToLowerInvariant();
            PublicInterface? nic = null;
            if (string.IsNullOrEmpty(mac))
            {
                var colon = name?.IndexOf(':', StringComparison.Ordinal) ?? -1;
                if (colon <= 0 || !byName.TryGetValue(name![..colon], out nic))
                {
                    continue; // a NIC networkd cannot be matched to
                }
            }
            else
            {
                nic = result.FirstOrDefault(n => n.MacAddress == mac);
                if (nic is null)
                {
                    nic = new PublicInterface(mac, name);
                    result.Add(nic);
                }

                if (name is not null)
                {
                    byName[name] = nic;
                }
            }

            if (YamlJson.Get(entry, "subnets") is YamlSequenceNode subnets)
            {
                foreach (var subnet in subnets.Children)
                {
                    nic.AddSubnet(subnet);
                }
            }
        }

        foreach (var nic in result)
        {
            nic.AddDns(globalDns, globalSearch);
        }

        return result;
    }

    /// <summary>Adds DNS servers and search domains (each once).</summary>
    public void AddDns(IEnumerable<string> servers, IEnumerable<string> search)
    {
        foreach (var server in servers)
        {
            AddOnce(Dns, server.Trim());
        }

        foreach (var domain in search)
        {
            AddOnce(Domains, domain.Trim());
        }
    }

    /// <summary>Adds a route: a default one (<c>0.0.0.0/0</c>, <c>::/0</c>, <c>default</c>) becomes a gateway.</summary>
    public void AddRoute(string destination, string gateway)
    {
        gateway = StripZone(gateway.Trim());
        destination = destination.Trim();
        if (destination is "default" or "0.0.0.0/0" or "::/0" or "0.0.0.0" or "::")
        {
            AddOnce(Gateways, gateway);
        }
        else if (gateway.Length > 0 && !Routes.Contains((destination, gateway)))
        {
            Routes.Add((destination, gateway));
        }
    }

    /// <summary>A scalar or a list of scalars as strings (v1 <c>address</c> may be either).</summary>
    internal static IEnumerable<string> Strings(YamlNode? node) => node switch
    {
        YamlSequenceNode seq => seq.Children.Select(YamlJson.Text).OfType<string>(),
        YamlScalarNode => YamlJson.Text(node) is { } text ? text.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries) : [],
        _ => [],
    };

    private void AddSubnet(YamlNode subnet)
    {
        switch (YamlJson.Text(YamlJson.Get(subnet, "type")))
        {
            case "dhcp" or "dhcp4":
                if (YamlJson.IsTrue(YamlJson.Get(subnet, "ipv6")))
                {
                    Dhcp6 = true;
                }
                else
                {
                    Dhcp4 = true;
                }

                break;
            case "dhcp6" or "ipv6_dhcpv6-stateful":
                Dhcp6 = true;
                break;
            case "ipv6_slaac" or "ipv6_dhcpv6-stateless":
                AcceptRa = true;
                break;
            case "static" or "static6":
                if (YamlJson.Text(YamlJson.Get(subnet, "address")) is { } address)
                {
                    AddOnce(Addresses, WithPrefix(address.Trim(), YamlJson.Text(YamlJson.Get(subnet, "netmask"))));
                }

                if (YamlJson.Text(YamlJson.Get(subnet, "gateway")) is { } gateway)
                {
                    AddOnce(Gateways, StripZone(gateway.Trim()));
                }

                break;
            default:
                return;
        }

        AddDns(Strings(YamlJson.Get(subnet, "dns_nameservers")), Strings(YamlJson.Get(subnet, "dns_search")));

        if (YamlJson.Get(subnet, "routes") is YamlSequenceNode routes)
        {
            foreach (var route in routes.Children)
            {
                // Default routes become gateways (older Hetzner documents: {network: '::', netmask: 0, gateway: fe80::1%eth0}).
                var network = YamlJson.Text(YamlJson.Get(route, "network"));
                if (network is not null && YamlJson.Text(YamlJson.Get(route, "gateway")) is { } gw)
                {
                    var netmask = YamlJson.Text(YamlJson.Get(route, "netmask"));
                    AddRoute(network is "::" or "0.0.0.0" ? network : WithPrefix(network.Trim(), netmask), gw);
                }
            }
        }
    }

    private static string StripZone(string address) => address.Split('%')[0];

    internal static string WithPrefix(string address, string? netmask)
    {
        if (address.Contains('/', StringComparison.Ordinal) || string.IsNullOrWhiteSpace(netmask))
        {
            return address;
        }

        if (int.TryParse(netmask, NumberStyles.None, CultureInfo.InvariantCulture, out var bits))
        {
            return $"{address}/{bits}";
        }

        if (IPAddress.TryParse(netmask.Trim(), out var mask))
        {
            var prefix = mask.GetAddressBytes().Sum(b => System.Numerics.BitOperations.PopCount(b));
            return $"{address}/{prefix}";
        }

        return address;
    }

    internal static void AddOnce(List<string> list, string value)
    {
        if (value.Length > 0 && !list.Contains(value, StringComparer.OrdinalIgnoreCase))
        {
            list.Add(value);
        }
    }
}
