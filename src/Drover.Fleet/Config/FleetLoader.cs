using Drover.Hcloud.Labels;
using K = Drover.Fleet.Config.FleetKeys;

namespace Drover.Fleet.Config;

/// <summary>
/// Reads <c>drover.yaml</c> into a <see cref="FleetFile"/>. Every problem is collected and thrown at once as a
/// <see cref="FleetConfigException"/>; each names the file, line, column and dotted field
/// (<c>drover.yaml:7:5: hosts.web1.server_tpye: unknown key (did you mean 'server_type'?)</c>).
/// </summary>
/// <remarks>
/// Positions in <see cref="FleetFile.Sources"/> are those of the value for scalar fields and of the key for mappings and
/// lists (<c>hosts.web1</c>, <c>hosts.web1.labels</c>); list items are recorded as <c>hosts.web1.networks[0]</c>.
/// Each top-level section has its reader (<see cref="DefaultsSection"/>, <see cref="ImagesSection"/>,
/// <see cref="HostsSection"/>); the rules they share are in <see cref="FleetRules"/>.
/// </remarks>
public static class FleetLoader
{
    /// <summary>Where servers' secrets go when neither the host nor the defaults say.</summary>
    public const string DefaultSecretsPath = "/var/lib/drover/secrets";

    /// <summary>Reads and validates the fleet file at <paramref name="path"/> (named as given in messages).</summary>
    public static FleetFile Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FleetConfigException(new FleetDiagnostic(null, path, "the fleet file does not exist"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FleetConfigException(new FleetDiagnostic(null, path, "cannot read the fleet file: " + e.Message));
        }
        return Parse(text, path);
    }

    /// <summary>Validates fleet-file text; relative paths in it resolve against the directory of <paramref name="path"/>.</summary>
    public static FleetFile Parse(string text, string path)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var yaml = new FleetYamlReader(path);
        var root = ReadRoot(yaml, text);
        var name = ReadName(yaml, root);
        var defaults = DefaultsSection.Read(yaml, root);
        var images = ImagesSection.Read(yaml, root);
        var hosts = HostsSection.Read(yaml, root, defaults, images);
        if (yaml.Diagnostics.Count > 0)
        {
            throw new FleetConfigException([.. yaml.Diagnostics.OrderBy(d => d.Location?.Line ?? 0).ThenBy(d => d.Location?.Column ?? 0)]);
        }
        return new FleetFile
        {
            Path = path,
            Name = name!,
            Defaults = defaults,
            Images = images,
            Hosts = hosts,
            Sources = yaml.Sources,
        };
    }

    /// <inheritdoc cref="FleetRules.ServerTypeArchitecture(string)"/>
    public static string? ServerTypeArchitecture(string serverType) => FleetRules.ServerTypeArchitecture(serverType);

    /// <inheritdoc cref="FleetRules.IsValidHostName(string)"/>
    public static bool IsValidHostName(string name) => FleetRules.IsValidHostName(name);

    /// <inheritdoc cref="FleetRules.IsOpenSshPublicKey(string)"/>
    public static bool IsOpenSshPublicKey(string line) => FleetRules.IsOpenSshPublicKey(line);

    /// <summary>The top-level mapping with its keys checked; a file that is not valid YAML or not a mapping is refused here.</summary>
    private static YamlMap ReadRoot(FleetYamlReader yaml, string text)
    {
        var problems = new List<YamlProblem>();
        var root = YamlTree.Read(text, problems);
        foreach (var p in problems)
        {
            yaml.Error(p.Position, "(yaml)", p.Message);
        }
        if (root is null && problems.Count == 0 || root is YamlScalar { IsNull: true })
        {
            yaml.Error(new YamlPos(0, 1, 1), "(file)", $"the file is empty; it needs at least '{K.Fleet}:' and '{K.Hosts}:'");
        }
        if (root is null or YamlScalar { IsNull: true } || yaml.Diagnostics.Count > 0)
        {
            throw new FleetConfigException([.. yaml.Diagnostics]);
        }
        if (root is not YamlMap map)
        {
            yaml.Error(root.Start, "(file)", $"expected a mapping with '{K.Fleet}:' and '{K.Hosts}:', got {root.Describe()}");
            throw new FleetConfigException([.. yaml.Diagnostics]);
        }
        yaml.CheckKeys(map, "", K.Root);
        return map;
    }

    /// <summary><c>fleet:</c>, the fleet's name: a label value, since every server of the fleet carries it.</summary>
    private static string? ReadName(FleetYamlReader yaml, YamlMap root)
    {
        var name = yaml.String(root, K.Fleet, "");
        if (name is null && root[K.Fleet] is null)
        {
            yaml.Error(root.Start, K.Fleet, "missing: the fleet's name (the value of the drover/fleet label on its servers)");
        }
        else if (name is not null && (name.Length == 0 || LabelValidation.ValueProblem(name) is not null))
        {
            yaml.Error(root[K.Fleet]!.Start, K.Fleet, $"'{name}' is not a valid label value: " + (LabelValidation.ValueProblem(name) ?? "it must not be empty"));
        }
        return name;
    }
}
