using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Drover.Agent;

/// <summary>
/// A NoCloud <c>network-config</c>: version 1 (Proxmox writes this: <c>physical</c> entries with a MAC and subnets
/// <c>dhcp4</c>, <c>static</c>, <c>dhcp6</c>, <c>ipv6_slaac</c>, <c>static6</c>, then a <c>nameserver</c> entry) or
/// version 2 (netplan's form), also under a top-level <c>network:</c> key; <c>config: disabled</c> means none.
/// </summary>
internal static class NoCloudNetwork
{
    public static List<PublicInterface> Parse(string? text)
    {
        var root = string.IsNullOrWhiteSpace(text) ? null : YamlJson.Parse(text, "the NoCloud network-config");
        if (root is null)
        {
            return [];
        }

        if (root is not YamlMappingNode)
        {
            throw new AgentException("the NoCloud network-config is not a YAML mapping");
        }

        if (YamlJson.Get(root, "network") is YamlMappingNode inner)
        {
            root = inner;
        }

        if (YamlJson.Text(YamlJson.Get(root, "config")) == "disabled")
        {
            return [];
        }

        var version = YamlJson.Text(YamlJson.Get(root, "version"));
        return version switch
        {
            "1" => PublicInterface.FromNetworkConfig(root),
            "2" => NetworkConfigV2.Parse(root),
            null => throw new AgentException("the NoCloud network-config has no version (1 or 2)"),
            _ => throw new AgentException(string.Create(CultureInfo.InvariantCulture, $"the NoCloud network-config has version {version}; the agent reads versions 1 and 2")),
        };
    }
}
