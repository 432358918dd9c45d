using System.Globalization;
using System.Net;
using YamlDotNet.RepresentationModel;

namespace Drover.Agent;

/// <summary>
/// One physical NIC from the cloud-init network v1 document in <c>network-config</c>: DHCP flags and static addresses,
/// gateways and DNS servers. An alias entry without a MAC (<c>eth0:0</c> on older servers) joins its base NIC.
/// </summary>
internal sealed record PublicInterface(string MacAddress, string? Name)
{
    public bool Dhcp4 { get; set; }
    public bool Dhcp6 { get; set; }
    public List<string> Addresses { get; } = [];
    public List<string> Gateways { get; } = [];
    public List<string> Dns { get; } = [];

    public static List<PublicInterface> FromNetworkConfig(YamlNode? networkConfig)
    {
        var result = new List<PublicInterface>();
        if (YamlJson.Get(networkConfig, "config") is not YamlSequenceNode entries)
        {
            return result;
        }

        var byName = new Dictionary<string, PublicInterface>(StringComparer.Ordinal);
        foreach (var entry in entries.Children)
        {
            if (YamlJson.Text(YamlJson.Get(entry, "type")) != "physical")
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

        return result;
    }

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
            case "dhcp6":
                Dhcp6 = true;
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

        if (YamlJson.Get(subnet, "dns_nameservers") is YamlSequenceNode dns)
        {
            foreach (var server in dns.Children.Select(YamlJson.Text).OfType<string>())
            {
                AddOnce(Dns, server.Trim());
            }
        }

        if (YamlJson.Get(subnet, "routes") is YamlSequenceNode routes)
        {
            foreach (var route in routes.Children)
            {
                // Only default routes matter here (older documents: {network: '::', netmask: 0, gateway: fe80::1%eth0}).
                var network = YamlJson.Text(YamlJson.Get(route, "network"));
                if (network is "::" or "0.0.0.0" && YamlJson.Text(YamlJson.Get(route, "gateway")) is { } gw)
                {
                    AddOnce(Gateways, StripZone(gw.Trim()));
                }
            }
        }
    }

    private static string StripZone(string address) => address.Split('%')[0];

    private static string WithPrefix(string address, string? netmask)
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

    private static void AddOnce(List<string> list, string value)
    {
        if (value.Length > 0 && !list.Contains(value, StringComparer.OrdinalIgnoreCase))
        {
            list.Add(value);
        }
    }
}
