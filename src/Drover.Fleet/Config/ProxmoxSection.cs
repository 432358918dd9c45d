using System.Globalization;
using System.Text.RegularExpressions;
using K = Drover.Fleet.Config.FleetKeys;

namespace Drover.Fleet.Config;

/// <summary>Reads <c>hosts.NAME.proxmox</c>: node, template, clone mode, storages, bridge, VMID, size.</summary>
internal static partial class ProxmoxSection
{
    public static ProxmoxPlacement? Read(FleetYamlReader yaml, YamlMap host, string hostField)
    {
        var field = $"{hostField}.{K.Proxmox}";
        var map = yaml.Map(host, K.Proxmox, hostField);
        if (map is null)
        {
            return null;
        }
        yaml.CheckKeys(map, field, K.ProxmoxKeys);
        var template = map[K.Template] is YamlScalar t ? t.Value : yaml.String(map, K.Template, field);
        if (template is null)
        {
            yaml.Error(host.KeyNode(K.Proxmox)!.Start, $"{field}.{K.Template}", "missing: the template to clone, by VMID or name (see 'drover proxmox template')");
        }
        else if (template.All(char.IsAsciiDigit) ? !IsVmId(template) : !DnsName().IsMatch(template))
        {
            yaml.Error(map[K.Template]!.Start, $"{field}.{K.Template}", $"'{template}' is neither a VMID (100-999999999) nor a VM name");
        }
        var clone = yaml.String(map, K.Clone, field);
        if (clone is not null and not ("linked" or "full"))
        {
            yaml.Error(map[K.Clone]!.Start, $"{field}.{K.Clone}", $"'{clone}' is not 'linked' or 'full'");
        }
        var storage = yaml.String(map, K.Storage, field);
        if (storage is not null && clone != "full")
        {
            yaml.Error(map.KeyNode(K.Storage)!.Start, $"{field}.{K.Storage}", "only applies to full clones (clone: full): a linked clone's disk stays on the template's storage");
        }
        var vmid = yaml.Long(map, K.VmId, field);
        if (vmid is < 100 or > 999_999_999)
        {
            yaml.Error(map[K.VmId]!.Start, $"{field}.{K.VmId}", $"{vmid} is not a VMID (100-999999999)");
        }
        var cores = yaml.Long(map, K.Cores, field);
        if (cores is < 1 or > 512)
        {
            yaml.Error(map[K.Cores]!.Start, $"{field}.{K.Cores}", $"{cores} is not a number of cores (1-512)");
        }
        var memory = yaml.Long(map, K.Memory, field);
        if (memory is < 16)
        {
            yaml.Error(map[K.Memory]!.Start, $"{field}.{K.Memory}", $"{memory} MiB is too little memory (at least 16)");
        }
        var node = yaml.String(map, K.Node, field);
        var bridge = yaml.String(map, K.Bridge, field);
        var snippets = yaml.String(map, K.Snippets, field);
        foreach (var (key, value) in new[] { (K.Node, node), (K.Bridge, bridge), (K.Snippets, snippets), (K.Storage, storage) })
        {
            if (value is not null && !IdPattern().IsMatch(value))
            {
                yaml.Error(map[key]!.Start, $"{field}.{key}", $"'{value}' is not a Proxmox {key} name (letters, digits, '-', '_' and '.')");
            }
        }
        return template is null ? null : new ProxmoxPlacement
        {
            Node = node,
            Template = template,
            FullClone = clone == "full",
            Storage = storage,
            Bridge = bridge ?? "vmbr0",
            Snippets = snippets ?? "local",
            VmId = vmid is { } v and >= 100 and <= 999_999_999 ? (int)v : null,
            Cores = cores is { } c and >= 1 and <= 512 ? (int)c : null,
            Memory = memory is { } m and >= 16 and <= int.MaxValue ? (int)m : null,
        };
    }

    /// <summary>Whether <paramref name="template"/> names the template by its VMID.</summary>
    public static bool IsVmId(string template)
        => long.TryParse(template, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id is >= 100 and <= 999_999_999;

    [GeneratedRegex(@"^(?=.{1,63}$)[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*$")]
    private static partial Regex DnsName();

    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9\-_.]*$")]
    private static partial Regex IdPattern();
}
