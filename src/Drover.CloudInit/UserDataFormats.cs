using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Drover.CloudInit;

/// <summary>
/// Rendered user-data in the forms other tools take (<c>--format cloud-config|configmap|nocloud</c>): a Kubernetes
/// ConfigMap and a NoCloud seed (Proxmox, QEMU). Crossplane's form is <see cref="CrossplaneComposition"/>.
/// </summary>
public static class UserDataFormats
{
    /// <summary>The ConfigMap's data key holding the user-data.</summary>
    public const string ConfigMapKey = "userdata";

    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string HostnameLabel = "drover.example/hostname";

    public const string UserDataFile = "user-data";
    public const string MetaDataFile = "meta-data";
    public const string NetworkConfigFile = "network-config";

    /// <summary>A ConfigMap <c>&lt;hostname&gt;-userdata</c> with the user-data under <see cref="ConfigMapKey"/>.</summary>
    public static string ToConfigMap(string hostname, RenderedUserData data, string? ns = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hostname);
        ArgumentNullException.ThrowIfNull(data);
        var metadata = new YamlMappingNode { { "name", YamlText.Str(ResourceName(hostname)) } };
        if (!string.IsNullOrEmpty(ns))
        {
            metadata.Add("namespace", YamlText.Str(ns));
        }

        metadata.Add("labels", Labels(hostname));
        var root = new YamlMappingNode
        {
            { "apiVersion", "v1" },
            { "kind", "ConfigMap" },
            { "metadata", metadata },
            { "data", new YamlMappingNode { { ConfigMapKey, YamlText.Block(data.Content) } } },
        };
        return YamlText.Save(root);
    }

    /// <summary>
    /// The files of a NoCloud seed (volume label <c>cidata</c>): <c>user-data</c>, <c>meta-data</c>
    /// (instance-id, local-hostname) and, with a static network, a version 2 <c>network-config</c>.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ToNoCloudSeed(UserDataInput input, RenderedUserData data, string instanceId)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);

        var metaData = new YamlMappingNode
        {
            { "instance-id", YamlText.Str(instanceId) },
            { "local-hostname", YamlText.Str(input.Hostname) },
        };
        var files = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [UserDataFile] = data.Content,
            [MetaDataFile] = YamlText.Save(metaData),
        };
        if (input.Network is { } network)
        {
            files[NetworkConfigFile] = NetworkConfig(network);
        }

        return files;
    }

    public static void WriteNoCloudSeed(string directory, UserDataInput input, RenderedUserData data, string instanceId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var files = ToNoCloudSeed(input, data, instanceId);
        Directory.CreateDirectory(directory);
        foreach (var (name, content) in files)
        {
            File.WriteAllText(Path.Combine(directory, name), content);
        }
    }

    /// <summary>Network config version 2 (netplan form) for the one interface.</summary>
    internal static string NetworkConfig(StaticNetwork network)
    {
        var ethernet = new YamlMappingNode
        {
            { "addresses", YamlText.StrList([$"{network.Address}/{network.PrefixLength.ToString(CultureInfo.InvariantCulture)}"]) },
        };
        if (!string.IsNullOrEmpty(network.Gateway))
        {
            var to = network.Gateway.Contains(':', StringComparison.Ordinal) ? "::/0" : "0.0.0.0/0";
            ethernet.Add("routes", new YamlSequenceNode(new YamlMappingNode
            {
                { "to", YamlText.Str(to) },
                { "via", YamlText.Str(network.Gateway) },
            }));
        }

        if (network.DnsServers.Count > 0)
        {
            ethernet.Add("nameservers", new YamlMappingNode { { "addresses", YamlText.StrList(network.DnsServers) } });
        }

        var root = new YamlMappingNode
        {
            { "version", new YamlScalarNode("2") },
            { "ethernets", new YamlMappingNode { { YamlText.Str(network.Interface), ethernet } } },
        };
        return YamlText.Save(root);
    }

    private static string ResourceName(string hostname) => hostname.ToLowerInvariant() + "-userdata";

    private static YamlMappingNode Labels(string hostname) => new()
    {
        { ManagedByLabel, "drover" },
        { HostnameLabel, YamlText.Str(hostname) },
    };
}
