using System.Security.Cryptography;
using System.Text;
using Drover.Fleet.Config;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Labels;

namespace Drover.Fleet.Bootstrap;

/// <summary>
/// Resolves a fleet against the cloud and decides, per host, create / keep / update / needs-replace. Read-only: the plan
/// makes no change. Every problem (an unknown server type, a missing or unavailable image, the wrong architecture, a
/// missing network) is collected and thrown together as a <see cref="FleetConfigException"/> naming file, line and field.
/// </summary>
/// <remarks>
/// Three phases: resolve the file's names against the cloud (<see cref="FleetResolver"/>), compare each host with the
/// server that exists for it (<see cref="HostComparison"/>), and plan the resulting changes.
/// </remarks>
public sealed class FleetPlanner
{
    /// <summary>The label holding a short hash of the user-data the server was created with.</summary>
    public const string UserDataLabel = "drover/user-data";

    /// <summary>The <c>drover/created-by</c> value of fleet servers and keys.</summary>
    public const string CreatedBy = "drover-bootstrap";

    private readonly HcloudClient _client;

    public FleetPlanner(HcloudClient client) => _client = client ?? throw new ArgumentNullException(nameof(client));

    /// <summary>Plans <paramref name="hosts"/> (all hosts when empty). <paramref name="replace"/> turns needs-replace into replace.</summary>
    public async Task<BootstrapPlan> PlanAsync(FleetFile fleet, IReadOnlyCollection<string>? hosts = null, bool replace = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        var before = _client.RequestCount;
        var resolved = await new FleetResolver(_client, fleet).ResolveAsync(hosts, cancellationToken);
        var compared = await CompareAsync(fleet, resolved, replace, cancellationToken);
        return Plan(fleet, resolved, compared, _client.RequestCount - before);
    }

    /// <summary>The labels a host's server carries: defaults and host labels, then Drover's own.</summary>
    public static IReadOnlyDictionary<string, string> DesiredLabels(FleetFile fleet, HostSpec host, string userData)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(userData);
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in host.Labels)
        {
            labels[k] = v;
        }
        if (host.Role is { } role && !labels.ContainsKey("role"))
        {
            labels["role"] = role;
        }
        labels[DroverLabels.CreatedBy] = CreatedBy;
        labels[DroverLabels.Fleet] = fleet.Name;
        labels[DroverLabels.Host] = host.Name;
        labels[UserDataLabel] = UserDataHash(userData);
        return labels;
    }

    /// <summary>The first 16 hex characters of the user-data's sha256: enough to notice a change.</summary>
    public static string UserDataHash(string userData) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(userData)))[..16];

    private sealed record FleetComparison(IReadOnlyList<HostComparison> Hosts, IReadOnlyList<Server> NotInFile);

    /// <summary>
    /// The second phase: finds the fleet's servers (by the <c>drover/fleet</c> label) and compares each resolved host with
    /// its own; the fleet's servers whose host the file does not name are set aside, never touched.
    /// </summary>
    private async Task<FleetComparison> CompareAsync(FleetFile fleet, ResolvedFleet resolved, bool replace, CancellationToken cancellationToken)
    {
        var existingByHost = new Dictionary<string, Server>(StringComparer.Ordinal);
        var notInFile = new List<Server>();
        var selectedNames = resolved.Hosts.Select(h => h.Host.Name).ToHashSet(StringComparer.Ordinal);
        var fleetSelector = LabelSelector.Parse($"{DroverLabels.Fleet}={fleet.Name}");
        await foreach (var server in _client.Servers.ListAsync(new ServerListOptions { LabelSelector = fleetSelector }, cancellationToken))
        {
            var hostName = server.Labels.GetValueOrDefault(DroverLabels.Host) ?? server.Name;
            if (selectedNames.Contains(hostName) && !existingByHost.ContainsKey(hostName))
            {
                existingByHost[hostName] = server;
            }
            else if (fleet.FindHost(hostName) is null)
            {
                notInFile.Add(server);
            }
        }
        var hosts = resolved.Hosts.Select(h => HostComparison.Of(fleet, h, existingByHost.GetValueOrDefault(h.Host.Name), replace)).ToList();
        return new FleetComparison(hosts, notInFile);
    }

    /// <summary>The third phase: the plan of each host, with everything apply needs, and the fleet's keys.</summary>
    private static BootstrapPlan Plan(FleetFile fleet, ResolvedFleet resolved, FleetComparison compared, long requests)
    {
        var plans = compared.Hosts.Select(c => new HostPlan
        {
            Host = c.Resolved.Host,
            Change = c.Change,
            Reasons = c.Reasons,
            Image = c.Resolved.Image,
            ServerType = c.Resolved.ServerType,
            Existing = c.Existing,
            UserData = c.Resolved.UserData,
            Labels = c.Labels,
            NetworkIds = c.Resolved.NetworkIds,
            FirewallIds = c.Resolved.FirewallIds,
            VolumeIds = c.Resolved.VolumeIds,
            LabelsDiffer = c.Existing is not null && c.Labels.Any(l => c.Existing.Labels.GetValueOrDefault(l.Key) != l.Value),
            AttachNetworks = c.Drift?.Networks ?? [],
            ApplyFirewalls = c.Drift?.Firewalls ?? [],
            AttachVolumes = c.Drift?.Volumes ?? [],
        }).ToList();
        return new BootstrapPlan
        {
            Fleet = fleet,
            Hosts = plans,
            SshKeys = resolved.SshKeys,
            NotInFile = compared.NotInFile,
            Requests = requests,
        };
    }
}
