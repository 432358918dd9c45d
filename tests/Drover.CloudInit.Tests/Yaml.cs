using YamlDotNet.RepresentationModel;

namespace Drover.CloudInit.Tests;

/// <summary>Reads rendered YAML back for assertions.</summary>
internal static class Yaml
{
    public static YamlMappingNode Root(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    public static YamlNode At(this YamlNode node, params object[] path)
    {
        foreach (var step in path)
        {
            node = step switch
            {
                int index => ((YamlSequenceNode)node).Children[index],
                string key => ((YamlMappingNode)node).Children[new YamlScalarNode(key)],
                _ => throw new ArgumentException($"bad path step {step}", nameof(path)),
            };
        }

        return node;
    }

    public static string Text(this YamlNode node, params object[] path) => ((YamlScalarNode)node.At(path)).Value!;

    public static string[] Items(this YamlNode node, params object[] path) =>
        [.. ((YamlSequenceNode)node.At(path)).Children.Select(c => ((YamlScalarNode)c).Value!)];

    public static bool Has(this YamlNode node, string key) => ((YamlMappingNode)node).Children.ContainsKey(new YamlScalarNode(key));
}
