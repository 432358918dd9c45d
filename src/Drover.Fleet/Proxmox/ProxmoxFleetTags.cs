using System.Security.Cryptography;
using System.Text;
using Drover.Fleet.Config;

namespace Drover.Fleet.Proxmox;

/// <summary>
/// The Proxmox tags of a fleet's VMs (Proxmox has no labels; tags are lowercase <c>[a-z0-9_][a-z0-9_+.-]*</c>):
/// <c>drover</c>, <c>drover-fleet-NAME</c>, <c>drover-host-NAME</c>, <c>drover-tpl-VMID</c> (the template it was cloned
/// from) and <c>drover-cfg-HEX</c> (a digest of its user-data and cloud-init settings), the last two to tell when a VM
/// needs replacing.
/// </summary>
public static class ProxmoxFleetTags
{
    public const string Drover = "drover";
    public const string FleetPrefix = "drover-fleet-", HostPrefix = "drover-host-", TemplatePrefix = "drover-tpl-", ConfigPrefix = "drover-cfg-";

    public static string Fleet(string fleet) => FleetPrefix + Sanitize(fleet);

    public static string Host(string host) => HostPrefix + Sanitize(host);

    public static string Template(int vmid) => TemplatePrefix + vmid.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A digest of what the VM's first boot is made of: user-data, network, bridge, size.</summary>
    public static string Config(HostSpec host, string userData)
    {
        var p = host.Proxmox!;
        var text = string.Join('\n', userData, host.Network?.Address, host.Network?.Gateway, string.Join(',', host.Network?.Dns ?? []),
            host.Domain, p.Bridge, p.FullClone ? "full" : "linked", p.Storage, p.Cores?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            p.Memory?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return ConfigPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];
    }

    /// <summary>The value of the tag starting with <paramref name="prefix"/>, if any.</summary>
    public static string? Find(IEnumerable<string> tags, string prefix)
        => tags.FirstOrDefault(t => t.StartsWith(prefix, StringComparison.Ordinal)) is { } tag ? tag[prefix.Length..] : null;

    private static string Sanitize(string name)
    {
        var lower = name.ToLowerInvariant();
        var chars = lower.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' ? c : '-').ToArray();
        return new string(chars);
    }
}
