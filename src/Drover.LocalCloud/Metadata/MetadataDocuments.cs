using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Drover.LocalCloud.Metadata;

/// <summary>An answer of the metadata service: status, content type (null for none) and body.</summary>
internal sealed record MetadataAnswer(int Status, string? ContentType, byte[] Body)
{
    public static MetadataAnswer Text(string text, string contentType = MetadataDocuments.TextPlain) => new(200, contentType, Encoding.UTF8.GetBytes(text));

    public static MetadataAnswer NotFound { get; } = new(404, MetadataDocuments.TextPlain, "404 Not Found\n"u8.ToArray());
}

/// <summary>
/// The documents of Hetzner's metadata service (<c>http://169.254.169.254/hetzner/v1/...</c>) for one server: the
/// <c>metadata</c> YAML mapping, its scalar sub-paths, <c>private-networks</c> and <c>network-config</c> as YAML,
/// <c>public-keys</c> as a JSON array, and <c>userdata</c> as the raw bytes (204 without a content type when unset).
/// </summary>
internal static partial class MetadataDocuments
{
    public const string TextPlain = "text/plain; charset=utf-8";
    public const string Prefix = "/hetzner/v1/";

    private static readonly string[] _dnsV4 = ["185.12.64.1", "185.12.64.2"];
    private static readonly string[] _dnsV6 = ["2a01:4ff:ff00::add:2", "2a01:4ff:ff00::add:1"];

    /// <summary>The vendor data real servers get: manage /etc/hosts, root as the default user.</summary>
    private const string VendorData = "Content-Type: multipart/mixed; boundary=\"===============0123456789==\"\nMIME-Version: 1.0\n\n"
        + "--===============0123456789==\nContent-Type: text/cloud-config; charset=\"us-ascii\"\nMIME-Version: 1.0\n"
        + "Content-Transfer-Encoding: 7bit\nContent-Disposition: attachment; filename=\"cloud-config\"\n\n"
        + "#cloud-config\nmanage_etc_hosts: true\nsystem_info:\n  default_user:\n    lock_passwd: true\n    name: root\n\n"
        + "--===============0123456789==--\n";

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._/-]*$")]
    private static partial Regex PlainScalar();

    [GeneratedRegex(@"^(?i:y|yes|n|no|true|false|on|off|null|~)$|^[-+]?[0-9._:]+$|^[-+]?\.(?i:inf|nan)$")]
    private static partial Regex Ambiguous();

    /// <summary>Answers <paramref name="path"/> (without query) for <paramref name="server"/>.</summary>
    public static MetadataAnswer Answer(MetadataSource server, string path)
    {
        path = path.Length > 1 ? path.TrimEnd('/') : path;
        if (path == Prefix + "userdata")
        {
            return server.UserData is null ? new MetadataAnswer(204, null, []) : new MetadataAnswer(200, "text/plain", Encoding.UTF8.GetBytes(server.UserData));
        }
        if (path == Prefix + "metadata")
        {
            return MetadataAnswer.Text(Metadata(server));
        }
        if (!path.StartsWith(Prefix + "metadata/", StringComparison.Ordinal))
        {
            return MetadataAnswer.NotFound;
        }
        return path[(Prefix.Length + "metadata/".Length)..] switch
        {
            "hostname" => MetadataAnswer.Text(server.Hostname),
            "instance-id" => MetadataAnswer.Text(server.InstanceId.ToString(CultureInfo.InvariantCulture)),
            "public-ipv4" => MetadataAnswer.Text(server.PublicIpv4 ?? ""),
            "availability-zone" => MetadataAnswer.Text(server.AvailabilityZone),
            "region" => MetadataAnswer.Text(server.Region),
            "private-networks" => MetadataAnswer.Text(PrivateNetworks(server)),
            "public-keys" => MetadataAnswer.Text(JsonSerializer.Serialize(server.PublicKeys, MetadataJsonContext.Default.IReadOnlyListString), "application/json"),
            "network-config" => MetadataAnswer.Text(NetworkConfig(server, "")),
            _ => MetadataAnswer.NotFound,
        };
    }

    /// <summary>The <c>/metadata</c> mapping, keys in alphabetical order as real documents have them.</summary>
    public static string Metadata(MetadataSource server)
    {
        var y = new StringBuilder();
        y.Append("availability-zone: ").AppendLine(Scalar(server.AvailabilityZone));
        y.Append("hostname: ").AppendLine(Scalar(server.Hostname));
        y.Append("instance-id: ").AppendLine(server.InstanceId.ToString(CultureInfo.InvariantCulture));
        y.AppendLine("local-ipv4: ''");
        y.AppendLine("network-config:");
        y.Append(NetworkConfig(server, "  "));
        y.Append("public-ipv4: ").AppendLine(server.PublicIpv4 is { } ip ? Scalar(ip) : "''");
        y.Append("public-keys:").AppendLine(server.PublicKeys.Count == 0 ? " []" : "");
        foreach (var key in server.PublicKeys)
        {
            y.Append("- ").AppendLine(Scalar(key.Trim()));
        }
        y.Append("region: ").AppendLine(Scalar(server.Region));
        y.Append("vendor_data: ").AppendLine(Quoted(VendorData));
        return y.ToString();
    }

    /// <summary>cloud-init network config v1: eth0 by MAC, DHCP for IPv4, the /64's <c>::1</c> statically with gateway fe80::1.</summary>
    public static string NetworkConfig(MetadataSource server, string indent)
    {
        var y = new StringBuilder();
        y.Append(indent).AppendLine("config:");
        y.Append(indent).Append("- mac_address: ").AppendLine(Scalar(server.MacAddress));
        y.Append(indent).AppendLine("  name: eth0");
        y.Append(indent).AppendLine("  subnets:");
        y.Append(indent).AppendLine("  - dns_nameservers:");
        foreach (var dns in _dnsV4)
        {
            y.Append(indent).Append("    - ").AppendLine(dns);
        }
        y.Append(indent).AppendLine("    ipv4: true");
        y.Append(indent).AppendLine("    type: dhcp");
        if (server.Ipv6Network is { } net)
        {
            y.Append(indent).Append("  - address: ").AppendLine(Scalar(net.Split('/')[0] + "1/64"));
            y.Append(indent).AppendLine("    dns_nameservers:");
            foreach (var dns in _dnsV6)
            {
                y.Append(indent).Append("    - ").AppendLine(Scalar(dns));
            }
            y.Append(indent).AppendLine("    gateway: 'fe80::1'");
            y.Append(indent).AppendLine("    ipv6: true");
            y.Append(indent).AppendLine("    type: static");
        }
        y.Append(indent).AppendLine("  type: physical");
        y.Append(indent).AppendLine("version: 1");
        return y.ToString();
    }

    /// <summary>The private networks as a YAML list; <c>[]</c> when none is attached.</summary>
    public static string PrivateNetworks(MetadataSource server)
    {
        if (server.PrivateNetworks.Count == 0)
        {
            return "[]\n";
        }
        var y = new StringBuilder();
        foreach (var n in server.PrivateNetworks)
        {
            y.Append("- ip: ").AppendLine(Scalar(n.Ip));
            y.Append("  alias_ips: [").Append(string.Join(", ", n.AliasIps.Select(Scalar))).AppendLine("]");
            y.Append("  interface_num: ").AppendLine(n.InterfaceNum.ToString(CultureInfo.InvariantCulture));
            y.Append("  mac_address: ").AppendLine(Scalar(n.MacAddress));
            y.Append("  network_id: ").AppendLine(n.NetworkId.ToString(CultureInfo.InvariantCulture));
            y.Append("  network_name: ").AppendLine(Scalar(n.NetworkName));
            y.Append("  network: ").AppendLine(Scalar(n.Network));
            y.Append("  subnet: ").AppendLine(Scalar(n.Subnet));
            y.Append("  gateway: ").AppendLine(Scalar(n.Gateway));
        }
        return y.ToString();
    }

    /// <summary>A YAML scalar: plain when that cannot be misread (as a number, boolean, MAC or time), else quoted.</summary>
    internal static string Scalar(string value)
        => PlainScalar().IsMatch(value) && !Ambiguous().IsMatch(value) ? value
            : value.All(c => c >= ' ' && c != '\u007f') ? "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'"
            : Quoted(value);

    private static string Quoted(string value) => Drover.Core.Text.YamlQuote.DoubleQuote(value);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyList<string>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class MetadataJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
