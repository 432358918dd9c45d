using System.Net;
using System.Net.Sockets;

namespace Drover.Proxmox.Contracts;

/// <summary>
/// An <c>ipconfigN</c> value: <c>ip=dhcp</c> or <c>ip=A.B.C.D/NN,gw=A.B.C.D</c>, optionally <c>ip6=…,gw6=…</c>
/// (<c>ip6=dhcp</c>, <c>ip6=auto</c> or an IPv6/CIDR).
/// </summary>
public sealed record IpConfig
{
    /// <summary><c>dhcp</c> or an IPv4 address with prefix length (<c>192.0.2.10/24</c>).</summary>
    public string? Ip { get; init; }

    /// <summary>IPv4 gateway (only with a static <see cref="Ip"/>).</summary>
    public string? Gateway { get; init; }

    /// <summary><c>dhcp</c>, <c>auto</c> (SLAAC) or an IPv6 address with prefix length.</summary>
    public string? Ip6 { get; init; }

    public string? Gateway6 { get; init; }

    /// <summary><c>ip=dhcp</c>.</summary>
    public static IpConfig Dhcp { get; } = new() { Ip = "dhcp" };

    /// <summary><c>ip=ADDRESS/PREFIX[,gw=GATEWAY]</c>.</summary>
    public static IpConfig Static(string cidr, string? gateway = null) => new() { Ip = cidr, Gateway = gateway };

    /// <summary>The wire form, keys in the order <c>ip, gw, ip6, gw6</c>; throws when a part is malformed.</summary>
    public string Format()
    {
        Validate();
        var parts = new List<string>();
        Append(parts, "ip", Ip);
        Append(parts, "gw", Gateway);
        Append(parts, "ip6", Ip6);
        Append(parts, "gw6", Gateway6);
        return string.Join(',', parts);
    }

    /// <summary>Reads a wire value (<c>ip=dhcp</c>, <c>gw=…,ip=…</c>); unknown keys are ignored.</summary>
    public static IpConfig Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var config = new IpConfig();
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var (key, val) = eq < 0 ? (part, "") : (part[..eq], part[(eq + 1)..]);
            config = key switch
            {
                "ip" => config with { Ip = val },
                "gw" => config with { Gateway = val },
                "ip6" => config with { Ip6 = val },
                "gw6" => config with { Gateway6 = val },
                _ => config,
            };
        }
        return config;
    }

    public override string ToString() => Format();

    private void Validate()
    {
        if (Ip is null && Ip6 is null)
        {
            throw new ArgumentException("an ipconfig needs ip (dhcp or A.B.C.D/NN) or ip6");
        }
        if (Ip is not null && Ip != "dhcp" && !IsCidr(Ip, AddressFamily.InterNetwork, 32))
        {
            throw new ArgumentException($"ipconfig ip '{Ip}' is neither 'dhcp' nor an IPv4 address with prefix length (A.B.C.D/NN)");
        }
        if (Ip6 is not null && Ip6 is not ("dhcp" or "auto") && !IsCidr(Ip6, AddressFamily.InterNetworkV6, 128))
        {
            throw new ArgumentException($"ipconfig ip6 '{Ip6}' is neither 'dhcp', 'auto' nor an IPv6 address with prefix length");
        }
        if (Gateway is not null && (Ip is null or "dhcp" || !IsAddress(Gateway, AddressFamily.InterNetwork)))
        {
            throw new ArgumentException($"ipconfig gw '{Gateway}' must be an IPv4 address and needs a static ip");
        }
        if (Gateway6 is not null && (Ip6 is null or "dhcp" or "auto" || !IsAddress(Gateway6, AddressFamily.InterNetworkV6)))
        {
            throw new ArgumentException($"ipconfig gw6 '{Gateway6}' must be an IPv6 address and needs a static ip6");
        }
    }

    private static void Append(List<string> parts, string key, string? value)
    {
        if (value is not null)
        {
            parts.Add($"{key}={value}");
        }
    }

    private static bool IsAddress(string text, AddressFamily family)
        => IPAddress.TryParse(text, out var ip) && ip.AddressFamily == family;

    private static bool IsCidr(string text, AddressFamily family, int maxPrefix)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return slash > 0
               && IsAddress(text[..slash], family)
               && int.TryParse(text[(slash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var prefix)
               && prefix <= maxPrefix;
    }
}
