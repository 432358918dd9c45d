using System.Globalization;
using System.Net;
using Drover.CloudInit;
using Drover.Fleet.Config;

namespace Drover.Fleet;

/// <summary>Maps a fleet host onto the user-data renderer's input: effective settings, keys, templates read from disk.</summary>
public static class HostUserData
{
    /// <summary>
    /// The renderer input for <paramref name="host"/>. Template paths resolve against the fleet file's directory; a
    /// missing template is a <see cref="FleetConfigException"/> at its position in the file.
    /// </summary>
    public static UserDataInput Build(FleetFile fleet, HostSpec host)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(host);
        var templates = new List<UserDataTemplate>();
        for (var i = 0; i < host.UserData.Templates.Count; i++)
        {
            var relative = host.UserData.Templates[i];
            var full = Path.IsPathRooted(relative) ? relative : Path.Combine(fleet.BaseDirectory, relative);
            if (!File.Exists(full))
            {
                var field = $"hosts.{host.Name}.user_data.templates[{i}]";
                throw new FleetConfigException(new FleetDiagnostic(fleet.Sources.Find(field), field, $"template '{relative}' does not exist ({full})"));
            }
            templates.Add(new UserDataTemplate(relative, File.ReadAllText(full)));
        }
        return new UserDataInput
        {
            Hostname = host.Name,
            Domain = host.Domain,
            AdminUser = host.AdminUser,
            SshAuthorizedKeys = [.. fleet.Defaults.SshKeys.Select(k => k.PublicKey).OfType<string>().Select(k => k.Trim())],
            FlakeRef = host.Flake,
            ConvergeCommand = host.EffectiveConverge,
            Impure = host.Impure,
            Network = ToStaticNetwork(host.Network),
            Variables = host.UserData.Variables,
            Templates = templates,
        };
    }

    /// <summary>Renders the host's user-data; renderer errors become fleet errors naming the host.</summary>
    public static RenderedUserData Render(FleetFile fleet, HostSpec host)
    {
        try
        {
            return UserDataRenderer.Render(Build(fleet, host));
        }
        catch (UserDataException e)
        {
            var field = $"hosts.{host.Name}.user_data";
            throw new FleetConfigException(new FleetDiagnostic(fleet.Sources.Find(field), field, e.Message));
        }
    }

    private static StaticNetwork? ToStaticNetwork(StaticNetworkSpec? spec)
    {
        if (spec is null)
        {
            return null;
        }
        var slash = spec.Address.IndexOf('/', StringComparison.Ordinal);
        var address = slash < 0 ? spec.Address : spec.Address[..slash];
        var prefix = slash < 0
            ? (IPAddress.TryParse(address, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32)
            : int.Parse(spec.Address[(slash + 1)..], CultureInfo.InvariantCulture);
        return new StaticNetwork
        {
            Interface = spec.Interface,
            Address = address,
            PrefixLength = prefix,
            Gateway = spec.Gateway,
            DnsServers = spec.Dns,
        };
    }
}
