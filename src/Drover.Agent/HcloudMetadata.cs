using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Drover.Agent;

/// <summary>
/// What the agent uses from <c>/hetzner/v1/metadata</c> and <c>/metadata/private-networks</c>, plus the whole
/// document as JSON for <c>/etc/hcloud-metadata.json</c>.
/// </summary>
internal sealed record HcloudMetadata
{
    public required string Hostname { get; init; }
    public required string InstanceId { get; init; }
    public IReadOnlyList<string> PublicKeys { get; init; } = [];
    public IReadOnlyList<PublicInterface> Interfaces { get; init; } = [];
    public IReadOnlyList<PrivateNetwork> PrivateNetworks { get; init; } = [];

    /// <summary>The metadata document as JSON, with a <c>private-networks</c> key added.</summary>
    public required JsonObject Document { get; init; }

    /// <summary>Parses the two documents; a missing hostname or instance id is an error.</summary>
    public static HcloudMetadata Parse(string metadataYaml, string? privateNetworksYaml)
    {
        var root = YamlJson.Parse(metadataYaml, "the metadata document") as YamlMappingNode
            ?? throw new AgentException("the metadata document is not a YAML mapping");
        var hostname = YamlJson.Text(YamlJson.Get(root, "hostname"));
        if (string.IsNullOrWhiteSpace(hostname))
        {
            throw new AgentException("the metadata document has no hostname");
        }

        var instanceId = YamlJson.Text(YamlJson.Get(root, "instance-id"));
        if (string.IsNullOrWhiteSpace(instanceId))
        {
            throw new AgentException("the metadata document has no instance-id");
        }

        var privateNode = privateNetworksYaml is null ? null : YamlJson.Parse(privateNetworksYaml, "the private-networks document");
        if (privateNode is not null and not YamlSequenceNode)
        {
            throw new AgentException("the private-networks document is not a YAML list");
        }

        var document = (JsonObject)YamlJson.ToJson(root)!;
        document["private-networks"] = YamlJson.ToJson(privateNode) ?? new JsonArray();
        return new HcloudMetadata
        {
            Hostname = hostname.Trim(),
            InstanceId = instanceId.Trim(),
            PublicKeys = Keys(YamlJson.Get(root, "public-keys")),
            Interfaces = PublicInterface.FromNetworkConfig(YamlJson.Get(root, "network-config")),
            PrivateNetworks = privateNode is YamlSequenceNode list ? [.. list.Children.Select(PrivateNetwork.From).OfType<PrivateNetwork>()] : [],
            Document = document,
        };
    }

    /// <summary>The keys: a YAML (or JSON flow) list of strings; a block of lines is accepted too.</summary>
    private static List<string> Keys(YamlNode? node) => node switch
    {
        YamlSequenceNode seq => [.. seq.Children.Select(YamlJson.Text).OfType<string>().Select(k => k.Trim()).Where(k => k.Length > 0)],
        YamlScalarNode => [.. (YamlJson.Text(node) ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)],
        _ => [],
    };
}

/// <summary>A private network the server is attached to (<c>/metadata/private-networks</c> entry).</summary>
internal sealed record PrivateNetwork(string MacAddress, string? Ip, long? NetworkId, string? NetworkName)
{
    public static PrivateNetwork? From(YamlNode node)
    {
        var mac = YamlJson.Text(YamlJson.Get(node, "mac_address"));
        if (string.IsNullOrWhiteSpace(mac))
        {
            return null;
        }

        var id = YamlJson.Text(YamlJson.Get(node, "network_id"));
        return new PrivateNetwork(
            mac.Trim().ToLowerInvariant(),
            YamlJson.Text(YamlJson.Get(node, "ip")),
            long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null,
            YamlJson.Text(YamlJson.Get(node, "network_name")));
    }
}
