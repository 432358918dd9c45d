using K = Drover.Fleet.Config.FleetKeys;

namespace Drover.Fleet.Config;

/// <summary>Reads <c>images:</c>, the named images hosts refer to: each a system image name, a pinned ID or a selector.</summary>
internal static class ImagesSection
{
    public static List<ImageSpec> Read(FleetYamlReader yaml, YamlMap root)
    {
        var result = new List<ImageSpec>();
        var map = yaml.Map(root, K.Images, "");
        if (map is null)
        {
            return result;
        }
        foreach (var (key, value) in yaml.UniqueEntries(map, K.Images))
        {
            var field = $"{K.Images}.{key.Value}";
            yaml.Record(field, key.Start);
            if (key.Value.Length == 0)
            {
                yaml.Error(key.Start, field, "an image needs a name");
                continue;
            }
            if (ReadImage(yaml, key.Value, field, key, value) is { } spec)
            {
                result.Add(spec);
            }
        }
        return result;
    }

    private static ImageSpec? ReadImage(FleetYamlReader yaml, string name, string field, YamlScalar key, YamlNodeBase node)
    {
        if (node is not YamlMap map)
        {
            yaml.Error(node.Start, field, $"expected a mapping with one of '{K.Name}', '{K.Id}' or '{K.Selector}', got {node.Describe()}");
            return null;
        }
        yaml.CheckKeys(map, field, K.ImageKeys);
        var imageName = yaml.String(map, K.Name, field);
        var id = yaml.Long(map, K.Id, field);
        var selector = yaml.String(map, K.Selector, field);
        var architecture = FleetRules.Architecture(yaml, map, field);
        var labels = FleetRules.Labels(yaml, map, field);
        var kinds = new[] { K.Name, K.Id, K.Selector }.Count(k => map[k] is not null);
        if (kinds != 1)
        {
            yaml.Error(key.Start, field, $"set exactly one of '{K.Name}' (a system image), '{K.Id}' (a pinned image) or '{K.Selector}' (a label selector)");
            return null;
        }
        if (map[K.Labels] is not null && map[K.Id] is null)
        {
            yaml.Error(map.KeyNode(K.Labels)!.Start, $"{field}.{K.Labels}", $"labels an image must carry apply only to a pinned image ('{K.Id}')");
        }
        if (selector is not null)
        {
            FleetRules.CheckSelector(yaml, map[K.Selector]!.Start, $"{field}.{K.Selector}", selector);
        }
        if (imageName is { Length: 0 })
        {
            yaml.Error(map[K.Name]!.Start, $"{field}.{K.Name}", "must not be empty");
        }
        if (imageName is null && id is null && selector is null)
        {
            return null;
        }
        return new ImageSpec
        {
            Name = name,
            Kind = id is not null ? ImageKind.Pinned : selector is not null ? ImageKind.Selector : ImageKind.Named,
            Id = id,
            Selector = selector,
            ImageName = imageName,
            Architecture = architecture,
            ExpectLabels = labels,
            SourcePath = field,
        };
    }
}
