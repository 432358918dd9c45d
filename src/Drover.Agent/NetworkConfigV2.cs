using YamlDotNet.RepresentationModel;

namespace Drover.Agent;

/// <summary>
/// cloud-init network config version 2 (netplan's form): each <c>ethernets</c> entry becomes a NIC, matched by
/// <c>match.macaddress</c>, else by <c>match.name</c>, else by its id. Read: <c>dhcp4</c>, <c>dhcp6</c>,
/// <c>accept-ra</c>, <c>addresses</c>, <c>gateway4</c>/<c>gateway6</c>, <c>routes</c> (<c>to</c>/<c>via</c>) and
/// <c>nameservers</c> (<c>addresses</c>, <c>search</c>). Bonds, bridges and VLANs are not configured.
/// </summary>
internal static class NetworkConfigV2
{
    private static readonly string[] _gatewayKeys = ["gateway4", "gateway6"];

    public static List<PublicInterface> Parse(YamlNode document)
    {
        var result = new List<PublicInterface>();
        if (YamlJson.Get(document, "ethernets") is not YamlMappingNode ethernets)
        {
            return result;
        }

        foreach (var (key, entry) in ethernets.Children)
        {
            var id = YamlJson.Text(key) ?? throw new AgentException("network-config version 2: an ethernets entry has no name");
            var match = YamlJson.Get(entry, "match");
            var mac = YamlJson.Text(YamlJson.Get(match, "macaddress"))?.Trim().ToLowerInvariant();
            var name = YamlJson.Text(YamlJson.Get(entry, "set-name")) ?? id;
            var nic = new PublicInterface(mac ?? "", name)
            {
                MatchName = string.IsNullOrEmpty(mac) ? YamlJson.Text(YamlJson.Get(match, "name")) ?? id : null,
                Dhcp4 = YamlJson.IsTrue(YamlJson.Get(entry, "dhcp4")),
                Dhcp6 = YamlJson.IsTrue(YamlJson.Get(entry, "dhcp6")),
                AcceptRa = YamlJson.IsTrue(YamlJson.Get(entry, "accept-ra")),
            };
            foreach (var address in PublicInterface.Strings(YamlJson.Get(entry, "addresses")))
            {
                PublicInterface.AddOnce(nic.Addresses, address.Trim());
            }

            foreach (var gateway in _gatewayKeys.Select(k => YamlJson.Text(YamlJson.Get(entry, k))).OfType<string>())
            {
                nic.AddRoute("default", gateway);
            }

            if (YamlJson.Get(entry, "routes") is YamlSequenceNode routes)
            {
                foreach (var route in routes.Children)
                {
                    if (YamlJson.Text(YamlJson.Get(route, "to")) is { } to && YamlJson.Text(YamlJson.Get(route, "via")) is { } via)
                    {
                        nic.AddRoute(to, via);
                    }
                }
            }

            var nameservers = YamlJson.Get(entry, "nameservers");
            nic.AddDns(PublicInterface.Strings(YamlJson.Get(nameservers, "addresses")), PublicInterface.Strings(YamlJson.Get(nameservers, "search")));
            result.Add(nic);
        }

        return result;
    }
}
