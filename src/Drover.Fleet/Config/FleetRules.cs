using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Drover.Hcloud.Labels;
using K = Drover.Fleet.Config.FleetKeys;

namespace Drover.Fleet.Config;

/// <summary>
/// The rules values of a fleet file follow, shared by its sections: host names, public keys, architectures, label
/// selectors, labels, addresses, paths. The checks that read a field report through the <see cref="FleetYamlReader"/>.
/// </summary>
internal static partial class FleetRules
{
    /// <summary>Whether <paramref name="name"/> is a valid host name: an RFC 1123 label, lowercase, at most 63 characters.</summary>
    public static bool IsValidHostName(string name) => name.Length is > 0 and <= 63 && HostNamePattern().IsMatch(name);

    /// <summary>Whether <paramref name="line"/> looks like an OpenSSH public key (<c>ssh-ed25519 AAAA... comment</c>).</summary>
    public static bool IsOpenSshPublicKey(string line)
    {
        var m = PublicKeyPattern().Match(line.Trim());
        if (!m.Success)
        {
            return false;
        }
        var data = m.Groups[2].Value;
        var buffer = new byte[data.Length];
        return Convert.TryFromBase64String(data, buffer, out var written) && written > 4;
    }

    /// <summary>
    /// The architecture (<c>x86</c> or <c>arm</c>) a Hetzner server-type family implies: <c>cax*</c> is arm; <c>cx*</c>,
    /// <c>cpx*</c> and <c>ccx*</c> are x86. Null for families this does not know.
    /// </summary>
    public static string? ServerTypeArchitecture(string serverType)
    {
        ArgumentNullException.ThrowIfNull(serverType);
        var t = serverType.Trim().ToLowerInvariant();
        if (t.StartsWith("cax", StringComparison.Ordinal))
        {
            return "arm";
        }
        return t.StartsWith("cx", StringComparison.Ordinal) || t.StartsWith("cpx", StringComparison.Ordinal) || t.StartsWith("ccx", StringComparison.Ordinal)
            ? "x86"
            : null;
    }

    /// <summary>Whether <paramref name="name"/> can name a user-data variable (<c>${NAME}</c>).</summary>
    public static bool IsVariableName(string name) => VariablePattern().IsMatch(name);

    /// <summary>Whether <paramref name="text"/> is an IP address with a prefix length, e.g. <c>10.0.0.5/24</c>.</summary>
    public static bool IsAddressWithPrefix(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(text[..slash], out var ip)
            || !int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            return false;
        }
        return prefix <= (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32);
    }

    /// <summary>Reports a <paramref name="selector"/> that is empty or not a label selector.</summary>
    public static void CheckSelector(FleetYamlReader yaml, YamlPos at, string field, string selector)
    {
        if (selector.Trim().Length == 0)
        {
            yaml.Error(at, field, "must not be empty");
        }
        else if (!LabelSelector.TryParse(selector, out _, out var error))
        {
            yaml.Error(at, field, $"not a label selector: {error!.Message}");
        }
    }

    /// <summary>Reports a <paramref name="value"/> (of <paramref name="key"/>) that is not an absolute path.</summary>
    public static void CheckAbsolute(FleetYamlReader yaml, YamlMap map, string key, string parent, string? value)
    {
        if (value is not null && !value.StartsWith('/'))
        {
            yaml.Error(map[key]!.Start, $"{parent}.{key}", $"'{value}' must be an absolute path on the server");
        }
    }

    /// <summary>The <c>architecture</c> of <paramref name="map"/>: null when unset or not one of <see cref="FleetKeys.Architectures"/>.</summary>
    public static string? Architecture(FleetYamlReader yaml, YamlMap map, string parent)
    {
        var value = yaml.String(map, K.Architecture, parent);
        if (value is not null && !K.Architectures.Contains(value))
        {
            yaml.Error(map[K.Architecture]!.Start, $"{parent}.{K.Architecture}", $"'{value}' is not an architecture: expected one of {string.Join(", ", K.Architectures)}");
            return null;
        }
        return value;
    }

    /// <summary>The <c>labels</c> of <paramref name="map"/>, each key and value checked; <c>drover/</c> keys are reserved.</summary>
    public static Dictionary<string, string> Labels(FleetYamlReader yaml, YamlMap map, string parent)
    {
        var labels = yaml.StringMap(map, K.Labels, parent);
        if (map[K.Labels] is YamlMap node)
        {
            foreach (var (k, v) in node.Entries)
            {
                var field = $"{parent}.{K.Labels}.{k.Value}";
                if (k.Value.StartsWith("drover/", StringComparison.Ordinal))
                {
                    yaml.Error(k.Start, field, "keys starting with 'drover/' are reserved for labels Drover sets itself");
                }
                else if (LabelValidation.KeyProblem(k.Value) is { } kp)
                {
                    yaml.Error(k.Start, field, kp);
                }
                if (labels.TryGetValue(k.Value, out var value) && LabelValidation.ValueProblem(value) is { } vp)
                {
                    yaml.Error(v.Start, field, vp);
                }
            }
        }
        return labels;
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex HostNamePattern();

    [GeneratedRegex("^[A-Z][A-Z0-9_]*$")]
    private static partial Regex VariablePattern();

    [GeneratedRegex(@"^(ssh-ed25519|ssh-rsa|ssh-dss|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com)\s+([A-Za-z0-9+/]+={0,2})(\s.*)?$")]
    private static partial Regex PublicKeyPattern();
}
