using System.Net;
using K = Drover.Fleet.Config.FleetKeys;

namespace Drover.Fleet.Config;

/// <summary>Reads <c>hosts.NAME.network</c>: a static address with gateway and DNS servers for the template placeholders.</summary>
internal static class NetworkSection
{
    public static StaticNetworkSpec? Read(FleetYamlReader yaml, YamlMap host, string hostField)
    {
        var field = $"{hostField}.{K.Network}";
        var map = yaml.Map(host, K.Network, hostField);
        if (map is null)
        {
            return null;
        }
        yaml.CheckKeys(map, field, K.NetworkKeys);
        var address = yaml.String(map, K.Address, field);
        var gateway = yaml.String(map, K.Gateway, field);
        var dns = yaml.StringList(map, K.Dns, field);
        var iface = yaml.String(map, K.Interface, field);
        if (address is null)
        {
            yaml.Error(host.KeyNode(K.Network)!.Start, $"{field}.{K.Address}", "missing: the address with its prefix length, e.g. 10.0.0.5/24");
        }
        else if (!FleetRules.IsAddressWithPrefix(address))
        {
            yaml.Error(map[K.Address]!.Start, $"{field}.{K.Address}", $"'{address}' is not an address with a prefix length, e.g. 10.0.0.5/24");
        }
        if (gateway is not null && !IPAddress.TryParse(gateway, out _))
        {
            yaml.Error(map[K.Gateway]!.Start, $"{field}.{K.Gateway}", $"'{gateway}' is not an IP address");
        }
        for (var i = 0; i < dns.Count; i++)
        {
            if (!IPAddress.TryParse(dns[i], out _))
            {
                yaml.Error(((YamlSeq)map[K.Dns]!).Items[i].Start, $"{field}.{K.Dns}[{i}]", $"'{dns[i]}' is not an IP address");
            }
        }
        if (iface is { Length: 0 })
        {
            yaml.Error(map[K.Interface]!.Start, $"{field}.{K.Interface}", "must not be empty");
        }
        return address is null ? null : new StaticNetworkSpec { Interface = iface ?? "eth0", Address = address, Gateway = gateway, Dns = dns };
    }
}
