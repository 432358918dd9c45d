using System.Security.Cryptography;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Drover.Images.Talos;

/// <summary>
/// A Talos Image Factory schematic. <see cref="Id"/> is the factory's schematic ID, computed locally: the sha256 of
/// <see cref="Canonical"/>, the document re-marshalled in the factory's field order and YAML layout.
/// </summary>
public sealed record TalosSchematic
{
    /// <summary>Enterprise factories set this from the authenticated user; empty elsewhere.</summary>
    public string Owner { get; init; } = "";

    /// <summary>Board overlay, or null.</summary>
    public SchematicOverlay? Overlay { get; init; }

    /// <summary>The customization (always present in the canonical form, possibly as <c>{}</c>).</summary>
    public SchematicCustomization Customization { get; init; } = new();

    /// <summary>The stock image's schematic (<c>customization: {}</c>).</summary>
    public static TalosSchematic Empty { get; } = new();

    /// <summary>
    /// Parses a schematic (YAML or JSON) as the factory does: unknown keys, wrong types and out-of-range numbers are
    /// refused with <see cref="TalosSchematicException"/> naming <paramref name="sourceName"/>:line:column and the field.
    /// </summary>
    public static TalosSchematic Parse(string yamlOrJson, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(yamlOrJson);
        ArgumentException.ThrowIfNullOrEmpty(sourceName);
        return new SchematicReader(sourceName).Read(yamlOrJson);
    }

    /// <summary>Reads and parses a schematic file.</summary>
    public static TalosSchematic Load(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>The exact bytes (UTF-8) the factory hashes: Go struct field order, empty fields left out, 4-space indent.</summary>
    public string Canonical()
    {
        var root = new List<KeyValuePair<string, object?>>();
        Add(root, "owner", Owner);
        if (Overlay is { IsEmpty: false } overlay)
        {
            var o = new List<KeyValuePair<string, object?>> { new("image", overlay.Image), new("name", overlay.Name) };
            if (overlay.Options.Count > 0)
            {
                o.Add(new("options", overlay.Options));
            }
            root.Add(new("overlay", o));
        }
        var c = Customization;
        var custom = new List<KeyValuePair<string, object?>>();
        Add(custom, "embeddedMachineConfiguration", c.EmbeddedMachineConfiguration);
        Add(custom, "extraKernelArgs", c.ExtraKernelArgs);
        if (c.Meta.Count > 0)
        {
            custom.Add(new("meta", c.Meta.Select(m => (object?)new List<KeyValuePair<string, object?>> { new("key", (long)m.Key), new("value", m.Value) }).ToList()));
        }
        if (c.OfficialExtensions.Count > 0)
        {
            custom.Add(new("systemExtensions", new List<KeyValuePair<string, object?>> { new("officialExtensions", c.OfficialExtensions.Cast<object?>().ToList()) }));
        }
        Add(custom, "bootloader", c.Bootloader);
        var secureboot = new List<KeyValuePair<string, object?>>();
        Add(secureboot, "enrollKeys", c.SecureBootEnrollKeys);
        if (c.SecureBootIncludeWellKnownCertificates)
        {
            secureboot.Add(new("includeWellKnownCertificates", true));
        }
        if (secureboot.Count > 0)
        {
            custom.Add(new("secureboot", secureboot));
        }
        if (c.DiskImageSectorSize > 0)
        {
            custom.Add(new("diskImage", new List<KeyValuePair<string, object?>> { new("sectorSize", c.DiskImageSectorSize) }));
        }
        root.Add(new("customization", custom));
        return SchematicYamlWriter.Write(root);
    }

    /// <summary>The schematic ID: lowercase hex sha256 of <see cref="Canonical"/> (64 characters).</summary>
    public string Id => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical())));

    /// <summary>
    /// This schematic plus more official extensions and kernel arguments, appended in order (ones already present are
    /// skipped): how a role-specific schematic is derived from a base one.
    /// </summary>
    public TalosSchematic With(IEnumerable<string>? extensions = null, IEnumerable<string>? kernelArgs = null)
    {
        static IReadOnlyList<string> Append(IReadOnlyList<string> existing, IEnumerable<string>? more)
        {
            var result = existing.ToList();
            foreach (var item in more ?? [])
            {
                ArgumentException.ThrowIfNullOrWhiteSpace(item);
                if (!result.Contains(item, StringComparer.Ordinal))
                {
                    result.Add(item);
                }
            }
            return result;
        }
        return this with
        {
            Customization = Customization with
            {
                OfficialExtensions = Append(Customization.OfficialExtensions, extensions),
                ExtraKernelArgs = Append(Customization.ExtraKernelArgs, kernelArgs),
            },
        };
    }

    private static void Add(List<KeyValuePair<string, object?>> map, string key, string value)
    {
        if (value.Length > 0)
        {
            map.Add(new(key, value));
        }
    }

    private static void Add(List<KeyValuePair<string, object?>> map, string key, IReadOnlyList<string> values)
    {
        if (values.Count > 0)
        {
            map.Add(new(key, values.Cast<object?>().ToList()));
        }
    }

    /// <summary>Decodes the YAML tree into the model with the factory's strictness.</summary>
    private sealed class SchematicReader(string source)
    {
        private const string StrTag = "tag:yaml.org,2002:str";

        public TalosSchematic Read(string text)
        {
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(text));
            }
            catch (YamlException e)
            {
                throw new TalosSchematicException(source, e.Start.Line, e.Start.Column, "not valid YAML: " + (e.InnerException?.Message ?? e.Message));
            }
            if (stream.Documents.Count == 0)
            {
                throw new TalosSchematicException(source, 1, 1, "empty schematic (write 'customization: {}' for the stock image)");
            }
            var root = stream.Documents[0].RootNode;
            var result = new TalosSchematic();
            foreach (var (key, value) in Fields(root, "schematic", "owner", "overlay", "customization"))
            {
                result = key switch
                {
                    "owner" => result with { Owner = String(value, "owner") },
                    "overlay" => result with { Overlay = ReadOverlay(value) },
                    _ => result with { Customization = ReadCustomization(value) },
                };
            }
            return result;
        }

        private SchematicOverlay ReadOverlay(YamlNode node)
        {
            var overlay = new SchematicOverlay("", "", new Dictionary<string, object?>());
            foreach (var (key, value) in Fields(node, "overlay", "image", "name", "options"))
            {
                overlay = key switch
                {
                    "image" => overlay with { Image = String(value, "overlay.image") },
                    "name" => overlay with { Name = String(value, "overlay.name") },
                    _ => overlay with { Options = IsNull(value) ? new Dictionary<string, object?>() : Map(value, "overlay.options") },
                };
            }
            return overlay;
        }

        private SchematicCustomization ReadCustomization(YamlNode node)
        {
            var c = new SchematicCustomization();
            foreach (var (key, value) in Fields(node, "customization", "embeddedMachineConfiguration", "extraKernelArgs", "meta", "systemExtensions", "bootloader", "secureboot", "diskImage"))
            {
                var path = "customization." + key;
                switch (key)
                {
                    case "embeddedMachineConfiguration":
                        c = c with { EmbeddedMachineConfiguration = String(value, path) };
                        break;
                    case "extraKernelArgs":
                        c = c with { ExtraKernelArgs = Strings(value, path) };
                        break;
                    case "meta":
                        c = c with { Meta = Items(value, path).Select((item, i) => ReadMeta(item, $"{path}[{i}]")).ToList() };
                        break;
                    case "systemExtensions":
                        foreach (var (k, v) in Fields(value, path, "officialExtensions"))
                        {
                            c = c with { OfficialExtensions = Strings(v, $"{path}.{k}") };
                        }
                        break;
                    case "bootloader":
                        c = c with { Bootloader = String(value, path) };
                        break;
                    case "secureboot":
                        foreach (var (k, v) in Fields(value, path, "enrollKeys", "includeWellKnownCertificates"))
                        {
                            c = k == "enrollKeys"
                                ? c with { SecureBootEnrollKeys = String(v, $"{path}.{k}") }
                                : c with { SecureBootIncludeWellKnownCertificates = Bool(v, $"{path}.{k}") };
                        }
                        break;
                    default:
                        foreach (var (k, v) in Fields(value, path, "sectorSize"))
                        {
                            c = c with { DiskImageSectorSize = (ulong)Integer(v, $"{path}.{k}", 0, ulong.MaxValue) };
                        }
                        break;
                }
            }
            return c;
        }

        private SchematicMetaValue ReadMeta(YamlNode node, string path)
        {
            byte key = 0;
            var value = "";
            foreach (var (k, v) in Fields(node, path, "key", "value"))
            {
                if (k == "key")
                {
                    key = (byte)Integer(v, $"{path}.key", 0, byte.MaxValue);
                }
                else
                {
                    value = String(v, $"{path}.value");
                }
            }
            return new SchematicMetaValue(key, value);
        }

        /// <summary>The entries of a mapping (none for null), refusing keys not in <paramref name="known"/> and duplicates.</summary>
        private IEnumerable<(string Key, YamlNode Value)> Fields(YamlNode node, string path, params string[] known)
        {
            if (IsNull(node))
            {
                yield break;
            }
            if (node is not YamlMappingNode map)
            {
                throw Error(node, $"{path}: expected a mapping, found {Describe(node)}");
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (keyNode, value) in map.Children)
            {
                var key = keyNode is YamlScalarNode { Value: { } k } ? k : "";
                if (!known.Contains(key, StringComparer.Ordinal))
                {
                    var hint = known.FirstOrDefault(n => string.Equals(n, key, StringComparison.OrdinalIgnoreCase));
                    throw Error(keyNode, $"unknown field '{key}' in {path}" + (hint is null ? $" (known: {string.Join(", ", known)})" : $" (did you mean '{hint}'?)"));
                }
                if (!seen.Add(key))
                {
                    throw Error(keyNode, $"{path}.{key}: mapping key already defined");
                }
                yield return (key, value);
            }
        }

        private List<YamlNode> Items(YamlNode node, string path) => IsNull(node)
            ? []
            : node is YamlSequenceNode seq ? [.. seq.Children] : throw Error(node, $"{path}: expected a list, found {Describe(node)}");

        private List<string> Strings(YamlNode node, string path) => [.. Items(node, path).Select((item, i) => String(item, $"{path}[{i}]"))];

        private string String(YamlNode node, string path) => node switch
        {
            _ when IsNull(node) => "",
            YamlScalarNode s => s.Value ?? "",
            _ => throw Error(node, $"{path}: expected a string, found {Describe(node)}"),
        };

        private bool Bool(YamlNode node, string path)
        {
            if (IsNull(node))
            {
                return false;
            }
            if (node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: { } v })
            {
                if (GoYamlScalars.Resolve(v) is bool b)
                {
                    return b;
                }
                if (GoYamlScalars.OldBool(v) is { } old)
                {
                    return old;
                }
            }
            throw Error(node, $"{path}: expected true or false, found {Describe(node)}");
        }

        private Int128 Integer(YamlNode node, string path, Int128 min, Int128 max)
        {
            if (IsNull(node))
            {
                return 0;
            }
            if (node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: { } v } && GoYamlScalars.ParseGoInt(v.Replace("_", "", StringComparison.Ordinal)) is { } i)
            {
                return i >= min && i <= max ? i : throw Error(node, $"{path}: {v} is out of range ({min}..{max})");
            }
            throw Error(node, $"{path}: expected an integer, found {Describe(node)}");
        }

        private Dictionary<string, object?> Map(YamlNode node, string path)
        {
            if (node is not YamlMappingNode map)
            {
                throw Error(node, $"{path}: expected a mapping, found {Describe(node)}");
            }
            var result = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var (k, v) in map.Children)
            {
                var key = k is YamlScalarNode { Value: { } s } && !IsNull(k) ? s : throw Error(k, $"{path}: keys must be strings");
                if (!result.TryAdd(key, Any(v, $"{path}.{key}")))
                {
                    throw Error(k, $"{path}.{key}: mapping key already defined");
                }
            }
            return result;
        }

        private object? Any(YamlNode node, string path) => node switch
        {
            YamlMappingNode => Map(node, path),
            YamlSequenceNode seq => seq.Children.Select((item, i) => Any(item, $"{path}[{i}]")).ToList(),
            YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: { } v } s when s.Tag.IsEmpty => GoYamlScalars.Resolve(v),
            YamlScalarNode s when s.Tag.IsEmpty || s.Tag.IsNonSpecific || s.Tag.Value == StrTag => s.Value ?? "",
            _ => throw Error(node, $"{path}: unsupported value (tagged '{node.Tag}')"),
        };

        private static bool IsNull(YamlNode node) =>
            node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } s && s.Tag.IsEmpty && s.Value is null or "" or "~" or "null" or "Null" or "NULL";

        private static string Describe(YamlNode node) => node switch
        {
            YamlMappingNode => "a mapping",
            YamlSequenceNode => "a list",
            YamlScalarNode s => $"'{s.Value}'",
            _ => node.NodeType.ToString(),
        };

        private TalosSchematicException Error(YamlNode node, string problem) => new(source, node.Start.Line, node.Start.Column, problem);
    }
}
