using K = Drover.Fleet.Config.FleetKeys;

namespace Drover.Fleet.Config;

/// <summary>Reads <c>hosts.NAME.user_data</c>: template files that must exist and variables that must not shadow built-ins.</summary>
internal static class UserDataSection
{
    public static UserDataSpec Read(FleetYamlReader yaml, YamlMap host, string hostField)
    {
        var field = $"{hostField}.{K.UserData}";
        var map = yaml.Map(host, K.UserData, hostField);
        if (map is null)
        {
            return new UserDataSpec();
        }
        yaml.CheckKeys(map, field, K.UserDataKeys);
        var templates = yaml.StringList(map, K.Templates, field);
        var seq = map[K.Templates] as YamlSeq;
        for (var i = 0; i < templates.Count && seq is not null; i++)
        {
            var full = FleetPaths.Resolve(yaml.BaseDirectory, templates[i]);
            if (!File.Exists(full))
            {
                yaml.Error(seq.Items[i].Start, $"{field}.{K.Templates}[{i}]", $"template not found: {full}");
            }
        }
        var variables = yaml.StringMap(map, K.Variables, field);
        if (map[K.Variables] is YamlMap vars)
        {
            foreach (var (k, _) in vars.Entries)
            {
                if (!FleetRules.IsVariableName(k.Value))
                {
                    yaml.Error(k.Start, $"{field}.{K.Variables}.{k.Value}", "a variable name must match [A-Z][A-Z0-9_]* (it is used as ${NAME})");
                }
                else if (CloudInit.Placeholders.BuiltIn.Contains(k.Value))
                {
                    yaml.Error(k.Start, $"{field}.{K.Variables}.{k.Value}", $"${{{k.Value}}} is a built-in placeholder; pick another name");
                }
            }
        }
        return new UserDataSpec { Templates = templates, Variables = variables };
    }
}
