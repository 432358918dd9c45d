using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Drover.Agent;

/// <summary>
/// What the agent uses from a NoCloud drive, as cloud-init reads it: the instance-id from <c>meta-data</c> (Proxmox
/// writes only <c>instance-id: SHA1</c>, the hash of user-data and network-config, so a change of either is a new
/// instance); the hostname from <c>meta-data</c>'s <c>local-hostname</c>, else the user-data's <c>hostname</c>, else
/// the first label of its <c>fqdn</c>; root's keys from <c>meta-data</c>'s <c>public-keys</c>, the user-data's
/// top-level <c>ssh_authorized_keys</c> and those of its <c>users</c> entries named <c>root</c> or <c>default</c>;
/// the NICs from <c>network-config</c>.
/// </summary>
internal sealed record NoCloudData
{
    public required string InstanceId { get; init; }
    public string? Hostname { get; init; }
    public IReadOnlyList<string> PublicKeys { get; init; } = [];
    public IReadOnlyList<PublicInterface> Interfaces { get; init; } = [];

    /// <summary>meta-data and network-config as JSON, with the device they came from (<c>/etc/drover/nocloud.json</c>).</summary>
    public required JsonObject Document { get; init; }

    /// <summary>The instance-id alone (the marker check reads no more).</summary>
    public static string InstanceIdOf(NoCloudSeed seed)
    {
        var metaData = MetaData(seed);
        var id = YamlJson.Text(YamlJson.Get(metaData, "instance-id"))?.Trim();
        return string.IsNullOrEmpty(id) ? throw new AgentException($"the NoCloud meta-data on {seed.Device} has no instance-id") : id;
    }

    public static NoCloudData Parse(NoCloudSeed seed)
    {
        var instanceId = InstanceIdOf(seed);
        var metaData = MetaData(seed);
        var configs = ConvergePlan.CloudConfigDocuments(seed.UserData).OfType<YamlMappingNode>().ToList();

        var hostname = Clean(YamlJson.Text(YamlJson.Get(metaData, "local-hostname")))
            ?? configs.Select(c => Clean(YamlJson.Text(YamlJson.Get(c, "hostname")))).FirstOrDefault(h => h is not null)
            ?? configs.Select(c => Clean(YamlJson.Text(YamlJson.Get(c, "fqdn")))?.Split('.')[0]).FirstOrDefault(h => h is not null);

        var keys = new List<string>(Keys(YamlJson.Get(metaData, "public-keys")));
        foreach (var config in configs)
        {
            keys.AddRange(Keys(YamlJson.Get(config, "ssh_authorized_keys")));
            if (YamlJson.Get(config, "users") is YamlSequenceNode users)
            {
                foreach (var user in users.Children.OfType<YamlMappingNode>())
                {
                    if (YamlJson.Text(YamlJson.Get(user, "name"))?.Trim() is "root" or "default")
                    {
                        keys.AddRange(Keys(YamlJson.Get(user, "ssh_authorized_keys")));
                    }
                }
            }
        }

        var networkNode = string.IsNullOrWhiteSpace(seed.NetworkConfig) ? null : YamlJson.Parse(seed.NetworkConfig, "the NoCloud network-config");
        var document = new JsonObject
        {
            ["source"] = AgentStatus.SourceNoCloud,
            ["device"] = seed.Device,
            ["meta-data"] = YamlJson.ToJson(metaData),
            ["network-config"] = YamlJson.ToJson(networkNode),
        };
        return new NoCloudData
        {
            InstanceId = instanceId,
            Hostname = hostname,
            PublicKeys = [.. keys.Distinct(StringComparer.Ordinal)],
            Interfaces = NoCloudNetwork.Parse(seed.NetworkConfig),
            Document = document,
        };
    }

    private static YamlNode? MetaData(NoCloudSeed seed)
    {
        if (string.IsNullOrWhiteSpace(seed.MetaData))
        {
            throw new AgentException($"the NoCloud drive {seed.Device} has no meta-data file");
        }

        var node = YamlJson.Parse(seed.MetaData, $"the NoCloud meta-data on {seed.Device}");
        return node as YamlMappingNode ?? throw new AgentException($"the NoCloud meta-data on {seed.Device} is not a YAML mapping");
    }

    /// <summary>Keys as cloud-init takes them: a list, one string (lines), or a mapping of names to either.</summary>
    private static IEnumerable<string> Keys(YamlNode? node) => node switch
    {
        YamlSequenceNode seq => seq.Children.SelectMany(Keys),
        YamlMappingNode map => map.Children.Values.SelectMany(Keys),
        YamlScalarNode => (YamlJson.Text(node) ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
        _ => [],
    };

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
