using K = Drover.Fleet.Config.FleetKeys;

namespace Drover.Fleet.Config;

/// <summary>Reads <c>defaults:</c>, the values every host inherits, with the fleet's SSH keys.</summary>
internal static class DefaultsSection
{
    public static FleetDefaults Read(FleetYamlReader yaml, YamlMap root)
    {
        var map = yaml.Map(root, K.Defaults, "");
        if (map is null)
        {
            return new FleetDefaults();
        }
        yaml.CheckKeys(map, K.Defaults, K.DefaultsKeys);
        var secrets = yaml.String(map, K.SecretsPath, K.Defaults);
        FleetRules.CheckAbsolute(yaml, map, K.SecretsPath, K.Defaults, secrets);
        return new FleetDefaults
        {
            Location = yaml.String(map, K.Location, K.Defaults),
            ServerType = yaml.String(map, K.ServerType, K.Defaults),
            SshKeys = ReadSshKeys(yaml, map),
            Labels = FleetRules.Labels(yaml, map, K.Defaults),
            AdminUser = yaml.String(map, K.AdminUser, K.Defaults),
            Domain = yaml.String(map, K.Domain, K.Defaults),
            Flake = yaml.String(map, K.Flake, K.Defaults),
            Impure = yaml.Bool(map, K.Impure, K.Defaults),
            SecretsPath = secrets,
            IdentityFile = yaml.String(map, K.IdentityFile, K.Defaults),
        };
    }

    /// <summary><c>defaults.ssh_keys</c>: each a name and exactly one of a public key or a file holding one.</summary>
    private static List<SshKeySpec> ReadSshKeys(FleetYamlReader yaml, YamlMap defaults)
    {
        var result = new List<SshKeySpec>();
        var field = $"{K.Defaults}.{K.SshKeys}";
        var seq = yaml.Seq(defaults, K.SshKeys, K.Defaults);
        if (seq is null)
        {
            return result;
        }
        for (var i = 0; i < seq.Items.Count; i++)
        {
            var itemField = $"{field}[{i}]";
            if (seq.Items[i] is not YamlMap map)
            {
                yaml.Error(seq.Items[i].Start, itemField, $"expected a mapping with '{K.Name}' and '{K.PublicKey}' or '{K.PublicKeyFile}', got {seq.Items[i].Describe()}");
                continue;
            }
            yaml.Record(itemField, map.Start);
            yaml.CheckKeys(map, itemField, K.SshKeyKeys);
            var name = yaml.String(map, K.Name, itemField);
            var key = yaml.String(map, K.PublicKey, itemField);
            var file = yaml.String(map, K.PublicKeyFile, itemField);
            if (string.IsNullOrWhiteSpace(name))
            {
                yaml.Error(map.Start, $"{itemField}.{K.Name}", "missing: the key's name in the cloud");
            }
            if ((key is null) == (file is null))
            {
                yaml.Error(map.Start, itemField, $"set exactly one of '{K.PublicKey}' or '{K.PublicKeyFile}'");
            }
            else if (key is not null && !FleetRules.IsOpenSshPublicKey(key))
            {
                yaml.Error(map[K.PublicKey]!.Start, $"{itemField}.{K.PublicKey}", "not an OpenSSH public key line (expected e.g. 'ssh-ed25519 AAAA... comment')");
            }
            else if (file is not null)
            {
                key = ReadPublicKeyFile(yaml, map[K.PublicKeyFile]!.Start, $"{itemField}.{K.PublicKeyFile}", file);
                if (key is not null)
                {
                    yaml.Record($"{itemField}.{K.PublicKey}", map[K.PublicKeyFile]!.Start);
                }
            }
            result.Add(new SshKeySpec { Name = name ?? "", PublicKey = key?.Trim(), PublicKeyFile = file });
        }
        return result;
    }

    /// <summary>The first line of a <c>.pub</c> file that is not empty or a comment, if it is a public key.</summary>
    private static string? ReadPublicKeyFile(FleetYamlReader yaml, YamlPos at, string field, string file)
    {
        var full = FleetPaths.Resolve(yaml.BaseDirectory, file);
        if (!File.Exists(full))
        {
            yaml.Error(at, field, $"file not found: {full}");
            return null;
        }
        string text;
        try
        {
            text = File.ReadAllText(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yaml.Error(at, field, $"cannot read {full}: {e.Message}");
            return null;
        }
        var line = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith('#'));
        if (line is null || !FleetRules.IsOpenSshPublicKey(line))
        {
            yaml.Error(at, field, $"{full} does not hold an OpenSSH public key line (expected e.g. 'ssh-ed25519 AAAA... comment'; is it the private key?)");
            return null;
        }
        return line;
    }
}
