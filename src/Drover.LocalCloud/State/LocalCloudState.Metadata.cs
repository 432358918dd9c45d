using System.Globalization;
using Drover.LocalCloud.Machines;
using Drover.LocalCloud.Metadata;

namespace Drover.LocalCloud.State;

/// <summary>The state's side of the metadata service and of QEMU boots: what a server is told about itself.</summary>
public sealed partial class LocalCloudState
{
    /// <summary>The metadata of server <paramref name="id"/> now, or null when it does not exist.</summary>
    internal MetadataSource? MetadataSourceOf(long id)
    {
        var record = FindServer(id);
        if (record is null)
        {
            return null;
        }
        var s = record.Server;
        var privateNetworks = s.PrivateNet.Select((p, i) =>
        {
            var network = FindNetwork(p.Network);
            var subnet = network?.Subnets.FirstOrDefault(n => n.NetworkZone == s.Location.NetworkZone && n.IpRange is not null);
            return new PrivateNetworkMetadata(p.Ip, p.AliasIps, i + 1, p.MacAddress, p.Network, network?.Name ?? "",
                network?.IpRange ?? "", subnet?.IpRange ?? "", subnet?.Gateway ?? "");
        }).ToList();
        return new MetadataSource(s.Id, s.Name, s.Datacenter.Name, s.Location.NetworkZone, s.PublicNet.Ipv4?.Ip, s.PublicNet.Ipv6?.Ip,
            MacOf(s.Id), record.PublicKeys, record.UserData, privateNetworks);
    }

    /// <summary>The public interface's MAC: Hetzner's <c>96:00</c> prefix, then the server ID.</summary>
    internal static string MacOf(long serverId)
    {
        var id = (uint)(serverId & 0xFFFFFFFF);
        return string.Create(CultureInfo.InvariantCulture, $"96:00:{id >> 24:x2}:{(id >> 16) & 0xFF:x2}:{(id >> 8) & 0xFF:x2}:{id & 0xFF:x2}");
    }

    /// <summary>
    /// What a QEMU boot of the server needs, taken now (under the lock): the firmware from its server type's architecture
    /// and its <c>localcloud/firmware</c> label. A label with a wrong value (only an older state file can still hold one)
    /// is refused before anything changes.
    /// </summary>
    private BootSpec BootSpecOf(ServerRecord record)
    {
        var s = record.Server;
        var (firmware, problem) = FirmwareLabel.Parse(s.Labels, s.ServerType.Architecture);
        return problem is null
            ? new(s.Id, s.PublicNet.Ipv4?.Ip, MacOf(s.Id), s.PrimaryDiskSize * (1L << 30), s.ServerType.Architecture, firmware)
            : throw Invalid("labels", problem);
    }

    /// <summary>Servers whose guest powered itself off while an action on them was running (settled when the last one is done).</summary>
    private readonly HashSet<long> _poweredOffDuringAction = [];

    /// <summary>
    /// The guest powered itself off (QEMU exited on its own): the server is off; while an action is changing it, once
    /// that action is done (<see cref="SettlePowerOffDuringActions"/>).
    /// </summary>
    private void GuestPoweredOff(long id) => Run(() =>
    {
        if (FindServer(id) is not { } record)
        {
            return 0;
        }
        if (HasRunningAction("server", id))
        {
            _poweredOffDuringAction.Add(id);
        }
        else if (record.Server.Status == Hcloud.Contracts.ServerStatus.Running)
        {
            SetStatus(record, Hcloud.Contracts.ServerStatus.Off);
        }
        return 0;
    });
}
