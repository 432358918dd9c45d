using System.Globalization;

namespace Drover.CloudInit;

/// <summary>The built-in placeholder names and the values one input gives them.</summary>
public static class Placeholders
{
    public const string Hostname = "HOSTNAME";
    public const string Domain = "DOMAIN";
    public const string AdminUser = "ADMIN_USER";
    public const string SshAuthorizedKeys = "SSH_AUTHORIZED_KEYS";
    public const string FlakeRef = "FLAKE_REF";
    public const string NetworkInterface = "NETWORK_INTERFACE";
    public const string StaticIp = "STATIC_IP";
    public const string Cidr = "CIDR";
    public const string Gateway = "GATEWAY";
    public const string DnsServers = "DNS_SERVERS";

    /// <summary>The built-in names, in documentation order.</summary>
    public static IReadOnlyList<string> BuiltIn { get; } =
        [Hostname, Domain, AdminUser, SshAuthorizedKeys, FlakeRef, NetworkInterface, StaticIp, Cidr, Gateway, DnsServers];

    /// <summary>The names that stand for lists (rendered as YAML block lists when they are a whole value).</summary>
    public static IReadOnlyList<string> Lists { get; } = [SshAuthorizedKeys, DnsServers];

    internal static Dictionary<string, PlaceholderValue> ValuesFor(UserDataInput input)
    {
        const string NoNetwork = "no static network is set";
        var network = input.Network;
        var values = new Dictionary<string, PlaceholderValue>(StringComparer.Ordinal)
        {
            [Hostname] = PlaceholderValue.Scalar(input.Hostname, "the hostname is empty"),
            [Domain] = PlaceholderValue.Scalar(input.Domain, "no domain is set"),
            [AdminUser] = PlaceholderValue.Scalar(input.AdminUser, "no admin user is set"),
            [SshAuthorizedKeys] = PlaceholderValue.List(input.SshAuthorizedKeys, "no SSH authorized keys are set"),
            [FlakeRef] = PlaceholderValue.Scalar(input.FlakeRef, "no flake reference is set"),
            [NetworkInterface] = PlaceholderValue.Scalar(network?.Interface, NoNetwork),
            [StaticIp] = PlaceholderValue.Scalar(network?.Address, NoNetwork),
            [Cidr] = PlaceholderValue.Scalar(network?.PrefixLength.ToString(CultureInfo.InvariantCulture), NoNetwork),
            [Gateway] = PlaceholderValue.Scalar(network?.Gateway, network is null ? NoNetwork : "the static network has no gateway"),
            [DnsServers] = PlaceholderValue.List(network?.DnsServers, network is null ? NoNetwork : "the static network has no DNS servers"),
        };

        foreach (var (name, value) in input.Variables)
        {
            if (!IsValidName(name))
            {
                throw new UserDataException($"variable name '{name}' is not a valid placeholder name (letters, digits and '_', not starting with a digit)");
            }

            if (values.ContainsKey(name))
            {
                throw new UserDataException($"variable '{name}' would override the built-in placeholder ${{{name}}}; pick another name");
            }

            values[name] = PlaceholderValue.Scalar(value, "the variable is empty");
        }

        return values;
    }

    internal static bool IsValidName(string name) =>
        name.Length > 0
        && (char.IsAsciiLetter(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}

/// <summary>A placeholder's value: a scalar, a list, or missing with the reason.</summary>
internal sealed record PlaceholderValue(string? Text, IReadOnlyList<string>? Items, string MissingReason)
{
    public bool IsList => Items is not null;

    public bool IsMissing => IsList ? Items!.Count == 0 : string.IsNullOrEmpty(Text);

    public static PlaceholderValue Scalar(string? text, string missingReason) => new(text, null, missingReason);

    public static PlaceholderValue List(IReadOnlyList<string>? items, string missingReason) => new(null, items ?? [], missingReason);
}
