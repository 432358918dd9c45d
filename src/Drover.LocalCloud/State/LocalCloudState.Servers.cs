using System.Globalization;
using System.Text.RegularExpressions;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Http;
using Drover.LocalCloud.Machines;

namespace Drover.LocalCloud.State;

public sealed partial class LocalCloudState
{
    /// <summary>Largest <c>user_data</c> the API accepts.</summary>
    public const int MaxUserDataBytes = 32 * 1024;

    [GeneratedRegex(@"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")]
    private static partial Regex HostnamePattern();

    public IReadOnlyList<Server> Servers() => [.. _doc.Servers.Select(ViewServer)];

    public ServerRecord? FindServer(long id) => _doc.Servers.FirstOrDefault(s => s.Server.Id == id);

    public Server GetServer(long id) => ViewServer(RequireServer(id));

    private ServerRecord RequireServer(long id) => FindServer(id) ?? throw ApiException.NotFound("server");

    private Server ViewServer(ServerRecord record)
    {
        var s = record.Server;
        var firewalls = _doc.Firewalls
            .Where(f => f.AppliedTo.Any(a => a.Server?.Id == s.Id
                || (a.LabelSelector is { } sel && Hcloud.Labels.LabelSelector.TryParse(sel.Selector, out var parsed, out _) && parsed!.Matches(s.Labels))))
            .Select(f => new ServerFirewall { Id = f.Id, Status = "applied" })
            .ToList();
        return s with
        {
            Locked = HasRunningAction("server", s.Id),
            PublicNet = s.PublicNet with { Firewalls = firewalls },
            Volumes = [.. _doc.Volumes.Where(v => v.Server == s.Id).Select(v => v.Id)],
        };
    }

    public CreateServerResult CreateServer(CreateServerRequest request)
    {
        if (string.IsNullOrEmpty(request.Name) || !HostnamePattern().IsMatch(request.Name))
        {
            throw Invalid("name", "must be a valid hostname (RFC 1123)");
        }
        if (_doc.Servers.Any(s => s.Server.Name == request.Name))
        {
            throw ApiException.Uniqueness("name", $"server name '{request.Name}' is already used");
        }
        var type = Catalog.FindServerType(request.ServerType) ?? throw Invalid("server_type", $"server type '{request.ServerType}' not found");
        if (request.Location is not null && request.Datacenter is not null)
        {
            throw Invalid("location", "location and datacenter are mutually exclusive");
        }
        var location = ResolveLocation(request.Location, request.Datacenter, type);
        var image = ResolveImage(request.Image, type.Architecture, "image");
        var keys = ResolveSshKeys(request.SshKeys, "ssh_keys");
        if (request.UserData is { } ud && System.Text.Encoding.UTF8.GetByteCount(ud) > MaxUserDataBytes)
        {
            throw Invalid("user_data", $"is too long ({System.Text.Encoding.UTF8.GetByteCount(ud)} bytes, at most {MaxUserDataBytes})");
        }
        ValidateLabels(request.Labels);
        ValidateFirmwareLabel(request.Labels, type.Architecture);
        var networks = (request.Networks ?? []).Select(id => FindNetwork(id) ?? throw Invalid("networks", $"network {id} not found")).ToList();
        foreach (var network in networks.Where(n => n.Subnets.All(s => s.NetworkZone != location.NetworkZone || s.IpRange is null)))
        {
            // Checked before anything is created: a failed request leaves no half-made server behind.
            throw new ApiException(422, "no_subnet_available", $"network {network.Id} has no subnet in network zone {location.NetworkZone}");
        }
        foreach (var f in request.Firewalls ?? [])
        {
            _ = FindFirewall(f.Firewall) ?? throw Invalid("firewalls", $"firewall {f.Firewall} not found");
        }
        foreach (var v in request.Volumes ?? [])
        {
            var volume = _doc.Volumes.FirstOrDefault(x => x.Id == v) ?? throw Invalid("volumes", $"volume {v} not found");
            if (volume.Server is not null)
            {
                throw Invalid("volumes", $"volume {v} is already attached to server {volume.Server}");
            }
            if (volume.Location.Id != location.Id)
            {
                throw Invalid("volumes", $"volume {v} is in {volume.Location.Name}, not {location.Name}");
            }
        }

        var id = NextId();
        var address = _doc.NextAddress++;
        var ipv4 = AddressOf(_doc.AddressBlock, address);
        var enableV4 = request.PublicNet?.EnableIpv4 ?? true;
        var enableV6 = request.PublicNet?.EnableIpv6 ?? true;
        var server = new Server
        {
            Id = id,
            Name = request.Name,
            Status = ServerStatus.Initializing,
            Created = Now,
            PublicNet = new ServerPublicNet
            {
                Ipv4 = enableV4 ? new ServerIpv4 { Id = NextId(), Ip = ipv4, Blocked = false, DnsPtr = $"static.{string.Join('.', ipv4.Split('.').Reverse())}.clients.your-server.de" } : null,
                Ipv6 = enableV6 ? new ServerIpv6 { Id = NextId(), Ip = $"2001:db8:{address:x}::/64", Blocked = false, DnsPtr = [] } : null,
            },
            ServerType = type,
            Datacenter = Catalog.DatacenterOf(location),
            Location = location,
            Image = image,
            Iso = null,
            RescueEnabled = false,
            Locked = false,
            BackupWindow = null,
            OutgoingTraffic = 0,
            IngoingTraffic = 0,
            IncludedTraffic = type.Prices.FirstOrDefault(p => p.Location == location.Name)?.IncludedTraffic ?? 0,
            Protection = new ServerProtection(),
            Labels = request.Labels ?? new Dictionary<string, string>(),
            PrimaryDiskSize = type.Disk,
            PlacementGroup = null,
        };
        var record = new ServerRecord { Server = server, UserData = request.UserData, PublicKeys = [.. keys.Select(k => k.PublicKey.Trim())] };
        _doc.Servers.Add(record);
        foreach (var network in networks)
        {
            AttachNetwork(record, network, null);
        }
        foreach (var f in request.Firewalls ?? [])
        {
            ApplyFirewallTo(f.Firewall, new FirewallResource { Type = "server", Server = new ResourceId { Id = id } });
        }
        foreach (var v in request.Volumes ?? [])
        {
            SetVolumeServer(v, id);
        }
        var create = StartAction("create_server", [ServerResource(id), .. ImageResource(image)],
            work: _ => _machines!.CreateDisk(id, type.Disk, HasDisk(image) ? image.Id : null));
        var next = new List<CloudAction>();
        if (request.StartAfterCreate ?? true)
        {
            var boot = BootSpecOf(record);
            next.Add(View(StartAction("start_server", [ServerResource(id)], create.CompletesAt, work: _ => _machines!.Boot(id, null, boot, BootKind.PowerOn))));
        }
        var rootPassword = keys.Count == 0 ? NewPassword() : null;
        return new CreateServerResult { Server = ViewServer(record), Action = View(create), NextActions = next, RootPassword = rootPassword };
    }

    private static bool HasDisk(Image image) => image.Type == ImageType.Snapshot || image.Type == ImageType.Backup;

    /// <summary>What the server's rescue system needs, taken now (under the lock): address, rescue keys, disk size.</summary>
    private RescueSpec RescueSpecOf(ServerRecord record)
    {
        var keys = record.RescueSshKeys.Select(id => _doc.SshKeys.FirstOrDefault(k => k.Id == id)?.PublicKey).OfType<string>().ToList();
        return new RescueSpec(record.Server.Id, record.Server.PublicNet.Ipv4?.Ip, keys, record.Server.PrimaryDiskSize * (1L << 30));
    }

    private static IEnumerable<ActionResource> ImageResource(Image image)
        => image.Type == ImageType.System ? [] : [new ActionResource { Id = image.Id, Type = "image" }];

    private Location ResolveLocation(string? location, string? datacenter, ServerType type)
    {
        Location resolved;
        if (datacenter is not null)
        {
            var dc = Catalog.Datacenters.FirstOrDefault(d => d.Name == datacenter || d.Id.ToString(CultureInfo.InvariantCulture) == datacenter)
                ?? throw Invalid("datacenter", $"datacenter '{datacenter}' not found");
            resolved = dc.Location;
        }
        else if (location is not null)
        {
            resolved = Catalog.FindLocation(location) ?? throw Invalid("location", $"location '{location}' not found");
        }
        else
        {
            resolved = Catalog.FindLocation(type.Locations[0].Name)!;
        }
        if (type.Locations.All(l => l.Id != resolved.Id))
        {
            throw new ApiException(412, ErrorCode.ResourceUnavailable, $"server type {type.Name} is not available in location {resolved.Name}");
        }
        return resolved;
    }

    private Image ResolveImage(IdOrName reference, Architecture architecture, string field)
    {
        var candidates = reference.Id is { } id
            ? _doc.Images.Where(i => i.Id == id).ToList()
            : _doc.Images.Where(i => i.Name == reference.Name).ToList();
        if (candidates.Count == 0)
        {
            throw Invalid(field, $"image '{reference}' not found");
        }
        var image = candidates.FirstOrDefault(i => i.Architecture == architecture)
            ?? throw Invalid(field, $"image '{reference}' is for architecture {candidates[0].Architecture}, the server type needs {architecture}");
        if (image.Status != ImageStatus.Available)
        {
            throw Invalid(field, $"image {image.Id} is not available (status {image.Status})");
        }
        return image;
    }

    private List<SshKey> ResolveSshKeys(IReadOnlyList<IdOrName>? references, string field)
        => [.. (references ?? []).Select(r => _doc.SshKeys.FirstOrDefault(k => r.Id is { } id ? k.Id == id : k.Name == r.Name)
            ?? throw Invalid(field, $"SSH key '{r}' not found"))];

    private static string NewPassword()
    {
        const string Alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return new string(System.Security.Cryptography.RandomNumberGenerator.GetItems<char>(Alphabet, 20));
    }

    public Server UpdateServer(long id, UpdateServerRequest request)
    {
        var record = RequireServer(id);
        if (request.Name is { } name)
        {
            if (!HostnamePattern().IsMatch(name))
            {
                throw Invalid("name", "must be a valid hostname (RFC 1123)");
            }
            if (_doc.Servers.Any(s => s.Server.Name == name && s.Server.Id != id))
            {
                throw ApiException.Uniqueness("name", $"server name '{name}' is already used");
            }
        }
        ValidateLabels(request.Labels);
        ValidateFirmwareLabel(request.Labels, record.Server.ServerType.Architecture);
        record.Server = record.Server with { Name = request.Name ?? record.Server.Name, Labels = request.Labels ?? record.Server.Labels };
        Touch();
        return ViewServer(record);
    }

    public CloudAction DeleteServer(long id)
    {
        var record = RequireServer(id);
        if (record.Server.Protection.Delete)
        {
            throw ApiException.Protected("server");
        }
        foreach (var net in record.Server.PrivateNet.ToList())
        {
            DetachNetwork(record, net.Network);
        }
        for (var i = 0; i < _doc.Volumes.Count; i++)
        {
            if (_doc.Volumes[i].Server == id)
            {
                _doc.Volumes[i] = _doc.Volumes[i] with { Server = null };
            }
        }
        RemoveServerFromFirewalls(id);
        SetStatus(record, ServerStatus.Deleting);
        return View(StartAction("delete_server", [ServerResource(id)], work: _ => _machines!.Delete(id)));
    }

    /// <summary>A power or boot action: checks the lock, sets the transitional status, starts the action.</summary>
    public CloudAction ServerAction(long id, string command)
    {
        var record = RequireLockable(id);
        var (transitional, wire) = command switch
        {
            "poweron" => (ServerStatus.Starting, "start_server"),
            "poweroff" => (ServerStatus.Stopping, "stop_server"),
            "shutdown" => (ServerStatus.Stopping, "shutdown_server"),
            "reboot" => (ServerStatus.Starting, "reboot_server"),
            "reset" => (ServerStatus.Starting, "reset_server"),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command, "not a power action"),
        };
        if (command is "reboot" && record.Server.Status != ServerStatus.Running)
        {
            throw new ApiException(422, "server_not_running", "server is not running; power it on instead");
        }
        var off = command is "poweroff" or "shutdown";
        // Taken before the status changes: a wrong localcloud/firmware label refuses the boot and changes nothing.
        var boot = off ? null : BootSpecOf(record);
        SetStatus(record, transitional);
        var rescue = record.Server.RescueEnabled ? RescueSpecOf(record) : null;
        var kind = command switch { "reset" => BootKind.Reset, "reboot" => BootKind.Reboot, _ => BootKind.PowerOn };
        Func<ActionRecord, Task> work = off
            ? _ => _machines!.PowerOff(id, graceful: command == "shutdown")
            : _ => _machines!.Boot(id, rescue, boot!, kind);
        return View(StartAction(wire, [ServerResource(id)], work: work));
    }

    private ServerRecord RequireLockable(long id)
    {
        var record = RequireServer(id);
        return HasRunningAction("server", id) ? throw ApiException.Locked("server") : record;
    }

    public EnableRescueResult EnableRescue(long id, EnableRescueRequest? request)
    {
        var record = RequireLockable(id);
        if (request?.Type is { } type && type != "linux64")
        {
            throw Invalid("type", $"'{type}' is not one of linux64");
        }
        var keys = ResolveSshKeys(request?.SshKeys?.Select(IdOrName.FromId).ToList(), "ssh_keys");
        record.Server = record.Server with { RescueEnabled = true };
        record.RescueSshKeys = [.. keys.Select(k => k.Id)];
        Touch();
        return new EnableRescueResult { RootPassword = NewPassword(), Action = View(StartAction("enable_rescue", [ServerResource(id)])) };
    }

    public CloudAction DisableRescue(long id)
    {
        var record = RequireLockable(id);
        record.Server = record.Server with { RescueEnabled = false };
        record.RescueSshKeys = [];
        Touch();
        return View(StartAction("disable_rescue", [ServerResource(id)]));
    }

    public CreateImageResult CreateImage(long id, CreateImageRequest? request)
    {
        var record = RequireLockable(id);
        var type = request?.Type ?? "snapshot";
        if (type is not ("snapshot" or "backup"))
        {
            throw Invalid("type", $"'{type}' is not one of snapshot, backup");
        }
        ValidateLabels(request?.Labels);
        var server = record.Server;
        var image = new Image
        {
            Id = NextId(),
            Type = ImageType.From(type),
            Status = ImageStatus.Creating,
            Name = null,
            Description = request?.Description ?? $"{server.Name}-{Now:yyyyMMddHHmmss}",
            ImageSize = null,
            DiskSize = server.PrimaryDiskSize,
            Created = Now,
            CreatedFrom = new ImageCreatedFrom { Id = server.Id, Name = server.Name },
            BoundTo = type == "backup" ? server.Id : null,
            OsFlavor = server.Image?.OsFlavor ?? "unknown",
            OsVersion = server.Image?.OsVersion,
            RapidDeploy = false,
            Labels = request?.Labels ?? new Dictionary<string, string>(),
            Architecture = server.ServerType.Architecture,
        };
        _doc.Images.Add(image);
        var action = StartAction("create_image", [ServerResource(id), new ActionResource { Id = image.Id, Type = "image" }],
            work: a => MeasureAsync(a, _machines!.Snapshot(id, image.Id, server.PrimaryDiskSize)));
        return new CreateImageResult { Image = _doc.Images.FirstOrDefault(i => i.Id == image.Id) ?? image, Action = View(action) };
    }

    public RebuildServerResult Rebuild(long id, RebuildServerRequest request)
    {
        var record = RequireLockable(id);
        if (record.Server.Protection.Rebuild)
        {
            throw ApiException.Protected("server");
        }
        var image = ResolveImage(request.Image, record.Server.ServerType.Architecture, "image");
        var boot = BootSpecOf(record);
        record.Server = record.Server with { Image = image };
        record.UserData = request.UserData ?? record.UserData;
        SetStatus(record, ServerStatus.Rebuilding);
        var rescue = record.Server.RescueEnabled ? RescueSpecOf(record) : null;
        var action = StartAction("rebuild_server", [ServerResource(id)],
            work: _ => Task.WhenAll(_machines!.Rebuild(id, record.Server.PrimaryDiskSize, HasDisk(image) ? image.Id : null), _machines.Boot(id, rescue, boot, BootKind.PowerOn)));
        return new RebuildServerResult { RootPassword = null, Action = View(action) };
    }

    public CloudAction ChangeType(long id, ChangeServerTypeRequest request)
    {
        var record = RequireLockable(id);
        var type = Catalog.FindServerType(request.ServerType) ?? throw Invalid("server_type", $"server type '{request.ServerType}' not found");
        if (record.Server.Status != ServerStatus.Off)
        {
            throw new ApiException(422, ErrorCode.ServerNotStopped, "server must be stopped before changing its type");
        }
        if (type.Architecture != record.Server.ServerType.Architecture)
        {
            throw Invalid("server_type", $"server type {type.Name} is {type.Architecture}, the server is {record.Server.ServerType.Architecture}");
        }
        if (type.Disk < record.Server.PrimaryDiskSize)
        {
            throw Invalid("server_type", $"server type {type.Name} has a {type.Disk} GB disk, smaller than the server's {record.Server.PrimaryDiskSize} GB");
        }
        record.Server = record.Server with { ServerType = type, PrimaryDiskSize = request.UpgradeDisk ? type.Disk : record.Server.PrimaryDiskSize };
        Touch();
        var disk = record.Server.PrimaryDiskSize;
        return View(StartAction("change_server_type", [ServerResource(id)], work: _ => _machines!.ResizeDisk(id, disk)));
    }

    public CloudAction ChangeServerProtection(long id, bool? delete, bool? rebuild)
    {
        var record = RequireServer(id);
        record.Server = record.Server with
        {
            Protection = new ServerProtection { Delete = delete ?? record.Server.Protection.Delete, Rebuild = rebuild ?? record.Server.Protection.Rebuild },
        };
        Touch();
        return View(StartAction("change_protection", [ServerResource(id)]));
    }

    /// <summary>The user data given at create or rebuild (for the metadata service).</summary>
    public string? UserDataOf(long id) => FindServer(id)?.UserData;
}
