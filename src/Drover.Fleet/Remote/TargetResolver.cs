using Drover.Core.Ssh;
using Drover.Fleet.Config;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Labels;

namespace Drover.Fleet.Remote;

/// <summary>Finds where to SSH to for a host: an explicit target, the file's <c>target_host</c>, or the server's address.</summary>
public static class TargetResolver
{
    /// <summary>
    /// <paramref name="overrideTarget"/> (from <c>--target-host</c>) wins, then the host's <c>target_host</c>; otherwise the
    /// fleet's server for the host is looked up by its <c>drover/fleet</c> and <c>drover/host</c> labels and reached
    /// as root at its public IPv4 (or IPv6). The key is the fleet's <c>identity_file</c>, if any.
    /// </summary>
    public static async Task<SshTarget> ResolveAsync(FleetFile fleet, HostSpec host, string? overrideTarget, Func<CancellationToken, Task<HcloudClient>> client, int port = 22, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(client);
        var identity = IdentityFile(fleet);
        if ((overrideTarget ?? host.TargetHost) is { } explicitTarget)
        {
            return SshTarget.Parse(explicitTarget, port, identity);
        }
        var selector = LabelSelector.Parse($"{DroverLabels.Fleet}={fleet.Name},{DroverLabels.Host}={host.Name}");
        Server? server = null;
        var api = await client(cancellationToken);
        await foreach (var s in api.Servers.ListAsync(new ServerListOptions { LabelSelector = selector }, cancellationToken))
        {
            server = s;
            break;
        }
        if (server is null)
        {
            throw new FleetException($"host {host.Name} has no server in fleet '{fleet.Name}' (run 'drover bootstrap', or pass --target-host USER@ADDRESS)");
        }
        var address = server.PublicNet.Ipv4?.Ip ?? Ipv6Host(server.PublicNet.Ipv6?.Ip)
            ?? throw new FleetException($"server {server.Name} ({server.Id}) has no public address; pass --target-host USER@ADDRESS");
        return new SshTarget("root", address, port, identity);
    }

    /// <summary>The fleet's private key for SSH, resolved against the fleet file's directory and <c>~</c>; null when unset.</summary>
    public static string? IdentityFile(FleetFile fleet)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        var path = fleet.Defaults.IdentityFile;
        if (path is null)
        {
            return null;
        }
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
        {
            path = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.TrimStart('~').TrimStart('/'));
        }
        return Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(fleet.BaseDirectory, path));
    }

    // The API shows a server's IPv6 as a /64 network; the server answers on ::1 of it.
    private static string? Ipv6Host(string? network) =>
        network is null ? null : network.Split('/')[0] + (network.Split('/')[0].EndsWith("::", StringComparison.Ordinal) ? "1" : "");
}
