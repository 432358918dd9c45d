using System.Globalization;
using Drover.Core.Nix;
using K = Drover.Fleet.Config.FleetKeys;

namespace Drover.Fleet.Config;

/// <summary>Reads <c>hosts:</c>, the servers of the fleet by name, each completed with the defaults.</summary>
internal static class HostsSection
{
    public static List<HostSpec> Read(FleetYamlReader yaml, YamlMap root, FleetDefaults defaults, List<ImageSpec> images)
    {
        var result = new List<HostSpec>();
        var map = yaml.Map(root, K.Hosts, "");
        if (map is null)
        {
            if (root[K.Hosts] is null)
            {
                yaml.Error(root.Start, K.Hosts, "missing: the servers of the fleet, by name");
            }
            return result;
        }
        foreach (var (key, value) in yaml.UniqueEntries(map, K.Hosts))
        {
            var field = $"{K.Hosts}.{key.Value}";
            yaml.Record(field, key.Start);
            if (!FleetRules.IsValidHostName(key.Value))
            {
                yaml.Error(key.Start, field, $"'{key.Value}' is not a valid host name (lowercase letters, digits and '-', at most 63 characters, starting and ending with a letter or digit)");
            }
            if (ReadHost(yaml, key, value, field, defaults, images) is { } host)
            {
                result.Add(host);
            }
        }
        return result;
    }

    private static HostSpec? ReadHost(FleetYamlReader yaml, YamlScalar key, YamlNodeBase node, string field, FleetDefaults defaults, List<ImageSpec> images)
    {
        if (node is not YamlMap map)
        {
            yaml.Error(node.Start, field, $"expected a mapping with the host's settings, got {node.Describe()}");
            return null;
        }
        yaml.CheckKeys(map, field, K.HostKeys);
        ImageSpec? image;
        string? serverType, location;
        ProxmoxPlacement? proxmox = null;
        if (map[K.Proxmox] is not null)
        {
            // A VM cloned from a template: no image, server type or location of its own (the defaults' do not apply).
            foreach (var hetzner in K.HetznerOnlyHostKeys.Where(k => map.KeyNode(k) is not null))
            {
                yaml.Error(map.KeyNode(hetzner)!.Start, $"{field}.{hetzner}", $"does not apply to a Proxmox host (it is cloned from '{K.Proxmox}.{K.Template}')");
            }
            proxmox = ProxmoxSection.Read(yaml, map, field);
            image = proxmox is null ? null : new ImageSpec { Name = field, Kind = ImageKind.Named, ImageName = proxmox.Template, SourcePath = field };
            serverType = "proxmox";
            location = proxmox?.Node ?? "";
        }
        else
        {
            image = ReadHostImage(yaml, key, map, field, images);
            serverType = yaml.String(map, K.ServerType, field) ?? defaults.ServerType;
            location = yaml.String(map, K.Location, field) ?? defaults.Location;
            if (serverType is null)
            {
                yaml.Error(key.Start, field, $"no server type: set '{field}.{K.ServerType}' or '{K.Defaults}.{K.ServerType}'");
            }
            if (location is null)
            {
                yaml.Error(key.Start, field, $"no location: set '{field}.{K.Location}' or '{K.Defaults}.{K.Location}'");
            }
        }
        var labels = new Dictionary<string, string>(defaults.Labels, StringComparer.Ordinal);
        foreach (var (k, v) in FleetRules.Labels(yaml, map, field))
        {
            labels[k] = v;
        }
        var secrets = yaml.String(map, K.SecretsPath, field);
        FleetRules.CheckAbsolute(yaml, map, K.SecretsPath, field, secrets);
        var network = NetworkSection.Read(yaml, map, field);
        var userData = UserDataSection.Read(yaml, map, field);
        var host = new
        {
            Role = yaml.String(map, K.Role, field),
            Networks = yaml.StringList(map, K.Networks, field),
            Firewalls = yaml.StringList(map, K.Firewalls, field),
            Volumes = yaml.StringList(map, K.Volumes, field),
            Flake = yaml.String(map, K.Flake, field),
            AdminUser = yaml.String(map, K.AdminUser, field),
            Domain = yaml.String(map, K.Domain, field),
            TargetHost = yaml.String(map, K.TargetHost, field),
            Converge = yaml.String(map, K.Converge, field),
            Impure = yaml.Bool(map, K.Impure, field),
        };
        CheckDefaultConverge(yaml, key, map, field, host.Flake, defaults.Flake, host.Converge, host.Impure);
        if (proxmox is null && image is not null && serverType is not null
            && image.Architecture is { } wanted && FleetRules.ServerTypeArchitecture(serverType) is { } actual && wanted != actual)
        {
            var imageKey = map[K.Image] is not null ? K.Image : K.ImageSelector;
            var what = image.SourcePath == field ? "the image" : $"image '{image.Name}'";
            yaml.Error(map[imageKey]!.Start, $"{field}.{imageKey}", $"{what} is for {wanted} but server type '{serverType}' is {actual}; use an {actual} image or a{(wanted == "arm" ? " cax" : " cx/cpx/ccx")} server type");
        }
        if (image is null || serverType is null || location is null)
        {
            return null;
        }
        return new HostSpec
        {
            Name = key.Value,
            Role = host.Role,
            Image = image,
            ServerType = serverType,
            Location = location,
            Labels = labels,
            Networks = host.Networks,
            Firewalls = host.Firewalls,
            Volumes = host.Volumes,
            UserData = userData,
            Flake = host.Flake ?? defaults.Flake,
            Impure = host.Impure ?? defaults.Impure ?? false,
            AdminUser = host.AdminUser ?? defaults.AdminUser,
            Domain = host.Domain ?? defaults.Domain,
            TargetHost = host.TargetHost,
            Converge = host.Converge,
            SecretsPath = secrets ?? defaults.SecretsPath ?? FleetLoader.DefaultSecretsPath,
            Network = network,
            Proxmox = proxmox,
        };
    }

    /// <summary>
    /// A flake without <c>converge</c> makes the converge command <c>nixos-rebuild switch --flake REF#NAME</c>: the
    /// flake must be one reference without <c>#</c> (with <c>converge</c> set, a flake is only the text of
    /// <c>/etc/nix-flake-target</c> and <c>${FLAKE_REF}</c>, and may be anything). A host's own <c>impure: true</c> only
    /// shapes that command, so it needs a flake and no <c>converge</c>.
    /// </summary>
    private static void CheckDefaultConverge(FleetYamlReader yaml, YamlScalar key, YamlMap map, string field,
        string? flake, string? defaultFlake, string? converge, bool? impure)
    {
        if (converge is null && (flake ?? defaultFlake) is { } effective && NixosRebuild.FlakeRefProblem(effective) is { } problem)
        {
            if (flake is not null)
            {
                yaml.Error(map[K.Flake]!.Start, $"{field}.{K.Flake}", $"{problem} (or set '{K.Converge}' for a command of your own)");
            }
            else
            {
                yaml.Error(key.Start, field, $"'{K.Defaults}.{K.Flake}' cannot make this host's converge command: {problem}; set a '{K.Flake}' or '{K.Converge}' of its own");
            }
        }

        if (impure is true && map.KeyNode(K.Impure) is { } impureKey)
        {
            if (converge is not null)
            {
                yaml.Error(impureKey.Start, $"{field}.{K.Impure}", $"only applies to the default converge command (nixos-rebuild from '{K.Flake}'); '{K.Converge}' replaces it");
            }
            else if (flake is null && defaultFlake is null)
            {
                yaml.Error(impureKey.Start, $"{field}.{K.Impure}", $"only applies with a '{K.Flake}' (the converge command nixos-rebuild switch --flake REF#NAME --impure); set one for the host or under '{K.Defaults}'");
            }
        }
    }

    /// <summary>
    /// The host's image: <c>image_selector</c> (with an optional <c>architecture</c>), or <c>image</c> naming an entry of
    /// <c>images:</c>, an image ID or a system image.
    /// </summary>
    private static ImageSpec? ReadHostImage(FleetYamlReader yaml, YamlScalar key, YamlMap map, string field, List<ImageSpec> images)
    {
        var hasImage = map[K.Image] is not null;
        var hasSelector = map[K.ImageSelector] is not null;
        var architecture = FleetRules.Architecture(yaml, map, field);
        if (map[K.Architecture] is not null && !hasSelector)
        {
            yaml.Error(map.KeyNode(K.Architecture)!.Start, $"{field}.{K.Architecture}", $"only applies with '{K.ImageSelector}' (a named image under '{K.Images}:' declares its own)");
        }
        if (hasImage == hasSelector)
        {
            yaml.Error(key.Start, field, $"set exactly one of '{K.Image}' (a name under '{K.Images}:', an image ID or a system image name) or '{K.ImageSelector}'");
            return null;
        }
        if (hasSelector)
        {
            var selector = yaml.String(map, K.ImageSelector, field);
            if (selector is null)
            {
                return null;
            }
            FleetRules.CheckSelector(yaml, map[K.ImageSelector]!.Start, $"{field}.{K.ImageSelector}", selector);
            return new ImageSpec { Name = field, Kind = ImageKind.Selector, Selector = selector, Architecture = architecture, SourcePath = field };
        }
        var value = yaml.String(map, K.Image, field);
        if (value is null)
        {
            return null;
        }
        if (value.Length == 0)
        {
            yaml.Error(map[K.Image]!.Start, $"{field}.{K.Image}", "must not be empty");
            return null;
        }
        if (images.FirstOrDefault(i => i.Name == value) is { } named)
        {
            return named;
        }
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return new ImageSpec { Name = field, Kind = ImageKind.Pinned, Id = id, SourcePath = field };
        }
        return new ImageSpec { Name = field, Kind = ImageKind.Named, ImageName = value, SourcePath = field };
    }
}
