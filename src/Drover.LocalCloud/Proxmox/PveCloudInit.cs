using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Drover.LocalCloud.Proxmox;

/// <summary>
/// The NoCloud files qemu-server generates for a VM's cloud-init drive (Cloudinit.pm, read not copied):
/// <c>user-data</c> (the generated cloud-config, in its exact order, unless <c>cicustom user=</c> names a snippet),
/// <c>network-config</c> (version 1: a physical <c>eth&lt;n&gt;</c> per <c>net&lt;n&gt;</c> with an
/// <c>ipconfig&lt;n&gt;</c>, then a nameserver entry), <c>meta-data</c> (<c>instance-id: sha1_hex(user . network)</c>)
/// and <c>vendor-data</c>; all four together at most 3 MiB. The node's own resolver settings (used when the VM has no
/// <c>nameserver</c>/<c>searchdomain</c>) are <paramref name="hostNameservers"/> and <paramref name="hostSearch"/>.
/// </summary>
public sealed class PveCloudInit(IReadOnlyList<string> hostNameservers, IReadOnlyList<string> hostSearch)
{
    public const long MaxTotal = 3 * 1024 * 1024;

    /// <summary>The four files; <paramref name="snippet"/> reads a <c>cicustom</c> volume (which must be a snippet).</summary>
    public IReadOnlyDictionary<string, string> Files(PveVmConfig config, long vmid, Func<string, string> snippet)
    {
        var custom = config["cicustom"] is { } cicustom ? PveVmConfig.ParseProperty(cicustom).Keys.ToDictionary(k => k.Key, k => k.Value) : [];
        var user = custom.TryGetValue("user", out var u) ? snippet(u) : UserData(config, vmid);
        var network = custom.TryGetValue("network", out var n) ? snippet(n) : NetworkConfig(config);
        var vendor = custom.TryGetValue("vendor", out var v) ? snippet(v) : "";
        var meta = custom.TryGetValue("meta", out var m) ? snippet(m) : MetaData(user, network);
        var sum = Encoding.UTF8.GetByteCount(user) + Encoding.UTF8.GetByteCount(network) + Encoding.UTF8.GetByteCount(meta) + Encoding.UTF8.GetByteCount(vendor);
        if (sum > MaxTotal)
        {
            throw PveException.Failed("Cloud-Init sum of snippets too big (> 3 MiB)");
        }
        return new Dictionary<string, string> { ["user-data"] = user, ["network-config"] = network, ["meta-data"] = meta, ["vendor-data"] = vendor };
    }

    /// <summary>What <c>GET …/cloudinit/dump?type=…</c> answers: always the generated texts, the password masked in <c>user</c>.</summary>
    public string Dump(PveVmConfig config, long vmid, string type) => type switch
    {
        "user" => UserData(config, vmid, maskPassword: true),
        "network" => NetworkConfig(config),
        _ => MetaData(UserData(config, vmid), NetworkConfig(config)),
    };

    public static string MetaData(string user, string network)
    {
#pragma warning disable CA5350 // qemu-server derives the instance-id with SHA-1; it is an identifier, not a protection
        return $"instance-id: {Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(user + network)))}\n";
#pragma warning restore CA5350
    }

    public static (string Hostname, string Fqdn) HostnameFqdn(PveVmConfig config, long vmid)
    {
        var name = config["name"] ?? $"VM{vmid}";
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            return (name[..dot], name);
        }
        return config["searchdomain"] is { Length: > 0 } search ? (name, $"{name}.{search}") : (name, name);
    }

    public static string UserData(PveVmConfig config, long vmid, bool maskPassword = false)
    {
        var (hostname, fqdn) = HostnameFqdn(config, vmid);
        var text = new StringBuilder("#cloud-config\n");
        text.Append($"hostname: {hostname}\n").Append("manage_etc_hosts: true\n").Append($"fqdn: {fqdn}\n");
        var user = config["ciuser"];
        if (user is not null)
        {
            text.Append($"user: {user}\n");
            if (user == "root")
            {
                text.Append("disable_root: False\n");
            }
        }
        if (config["cipassword"] is { } password)
        {
            text.Append($"password: {(maskPassword ? "**********" : password)}\n");
        }
        if (config["sshkeys"] is { } keys)
        {
            text.Append("ssh_authorized_keys:\n");
            foreach (var key in Uri.UnescapeDataString(keys).Split('\n').Select(k => k.TrimEnd('\r')).Where(k => k.Any(c => !char.IsWhiteSpace(c))))
            {
                text.Append($"  - {key}\n");
            }
        }
        text.Append("chpasswd:\n").Append("  expire: False\n");
        if (user != "root")
        {
            text.Append("users:\n").Append("  - default\n");
        }
        if (config["ciupgrade"] is null or "1")
        {
            text.Append("package_upgrade: true\n");
        }
        return text.ToString();
    }

    public string NetworkConfig(PveVmConfig config)
    {
        var text = new StringBuilder("version: 1\nconfig:\n");
        var interfaces = config.Values.Keys.Where(k => k.StartsWith("net", StringComparison.Ordinal) && k.Length > 3 && k[3..].All(char.IsAsciiDigit))
            .Order(StringComparer.Ordinal);
        foreach (var iface in interfaces)
        {
            var id = iface[3..];
            if (config["ipconfig" + id] is not { Length: > 0 } ipconfig)
            {
                continue;
            }
            var mac = MacOf(config[iface]!)?.ToLowerInvariant() ?? throw PveException.Failed($"network interface '{iface}' has no mac address");
            var ip = PveVmConfig.ParseProperty(ipconfig).Keys.ToDictionary(k => k.Key, k => k.Value);
            const string I = "      ";
            text.Append($"    - type: physical\n      name: eth{id}\n      mac_address: '{mac}'\n      subnets:\n");
            if (ip.TryGetValue("ip", out var v4))
            {
                if (v4 == "dhcp")
                {
                    text.Append($"{I}- type: dhcp4\n");
                }
                else
                {
                    var (address, mask) = SplitIp4(v4);
                    text.Append($"{I}- type: static\n{I}  address: '{address}'\n{I}  netmask: '{mask}'\n");
                    if (ip.TryGetValue("gw", out var gw))
                    {
                        text.Append($"{I}  gateway: '{gw}'\n");
                    }
                }
            }
            if (ip.TryGetValue("ip6", out var v6))
            {
                if (v6 == "dhcp")
                {
                    text.Append($"{I}- type: dhcp6\n");
                }
                else if (v6 == "auto")
                {
                    text.Append($"{I}- type: ipv6_slaac\n");
                }
                else
                {
                    text.Append($"{I}- type: static6\n{I}  address: '{v6}'\n");
                    if (ip.TryGetValue("gw6", out var gw6))
                    {
                        text.Append($"{I}  gateway: '{gw6}'\n");
                    }
                }
            }
        }
        var search = config["searchdomain"] is { } s ? Words(s) : hostSearch;
        var nameservers = config["nameserver"] is { } ns ? Words(ns) : hostNameservers;
        // Perl's array references are true even when empty: the nameserver entry is always there.
        text.Append("    - type: nameserver\n");
        if (nameservers.Count > 0)
        {
            text.Append("      address:\n");
            foreach (var server in nameservers)
            {
                text.Append($"      - '{server}'\n");
            }
        }
        if (search.Count > 0)
        {
            text.Append("      search:\n");
            foreach (var domain in search)
            {
                text.Append($"      - '{domain}'\n");
            }
        }
        return text.ToString();
    }

    /// <summary>The MAC of a <c>net&lt;n&gt;</c> value: <c>macaddr=</c>, or the <c>model=MAC</c> short form.</summary>
    public static string? MacOf(string net)
    {
        var (_, keys) = PveVmConfig.ParseProperty(net);
        if (keys.FirstOrDefault(k => k.Key == "macaddr") is { Key: not null } mac)
        {
            return mac.Value;
        }
        return keys.FirstOrDefault(k => k.Value.Count(c => c == ':') == 5 && k.Key is "virtio" or "e1000" or "rtl8139" or "vmxnet3" or "e1000e").Value;
    }

    /// <summary>An IPv4 CIDR as address and dotted netmask; a value that is no CIDR fails as Cloudinit.pm's split_ip4 does.</summary>
    public static (string Address, string Mask) SplitIp4(string cidr)
    {
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !int.TryParse(cidr[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var bits) || bits > 32)
        {
            throw PveException.Failed($"not a CIDR: {cidr}");
        }
        var mask = bits == 0 ? 0u : uint.MaxValue << (32 - bits);
        return (cidr[..slash], new IPAddress([(byte)(mask >> 24), (byte)(mask >> 16), (byte)(mask >> 8), (byte)mask]).ToString());
    }

    private static List<string> Words(string value) => [.. value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)];
}
