using System.Net;
using System.Net.Sockets;
using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Http;

namespace Drover.LocalCloud.State;

public sealed partial class LocalCloudState
{
    public IReadOnlyList<Network> Networks() => [.. _doc.Networks];

    public Network? FindNetwork(long id) => _doc.Networks.FirstOrDefault(n => n.Id == id);

    public Network GetNetwork(long id) => FindNetwork(id) ?? throw ApiException.NotFound("network");

    public Network CreateNetwork(CreateNetworkRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            throw Invalid("name", "must not be empty");
        }
        if (_doc.Networks.Any(n => n.Name == request.Name))
        {
            throw ApiException.Uniqueness("name", "network name is already used");
        }
        var range = ParseCidr(request.IpRange, "ip_range");
        ValidateLabels(request.Labels);
        var subnets = new List<Subnet>();
        foreach (var s in request.Subnets ?? [])
        {
            subnets.Add(NewSubnet(range, subnets, s));
        }
        var network = new Network
        {
            Id = NextId(),
            Name = request.Name,
            IpRange = request.IpRange,
            Subnets = subnets,
            Routes = request.Routes ?? [],
            Labels = request.Labels ?? new Dictionary<string, string>(),
            Created = Now,
            ExposeRoutesToVswitch = request.ExposeRoutesToVswitch ?? false,
        };
        _doc.Networks.Add(network);
        return network;
    }

    public Network UpdateNetwork(long id, UpdateNetworkRequest request)
    {
        var network = GetNetwork(id);
        ValidateLabels(request.Labels);
        if (request.Name is { } name && _doc.Networks.Any(n => n.Name == name && n.Id != id))
        {
            throw ApiException.Uniqueness("name", "network name is already used");
        }
        var updated = network with
        {
            Name = request.Name ?? network.Name,
            Labels = request.Labels ?? network.Labels,
            ExposeRoutesToVswitch = request.ExposeRoutesToVswitch ?? network.ExposeRoutesToVswitch,
        };
        Replace(_doc.Networks, n => n.Id == id, updated);
        return updated;
    }

    public void DeleteNetwork(long id)
    {
        var network = GetNetwork(id);
        if (network.Protection.Delete)
        {
            throw ApiException.Protected("network");
        }
        foreach (var server in _doc.Servers.Where(s => s.Server.PrivateNet.Any(p => p.Network == id)).ToList())
        {
            DetachNetwork(server, id);
        }
        _doc.Networks.RemoveAll(n => n.Id == id);
        Touch();
    }

    public CloudAction AddSubnet(long id, CreateSubnet subnet)
    {
        var network = GetNetwork(id);
        var range = ParseCidr(network.IpRange, "ip_range");
        Replace(_doc.Networks, n => n.Id == id, network with { Subnets = [.. network.Subnets, NewSubnet(range, network.Subnets, subnet)] });
        return View(StartAction("add_subnet", [new ActionResource { Id = id, Type = "network" }]));
    }

    public CloudAction AttachToNetwork(long serverId, AttachToNetworkRequest request)
    {
        var record = RequireLockable(serverId);
        var network = FindNetwork(request.Network) ?? throw Invalid("network", $"network {request.Network} not found");
        if (record.Server.PrivateNet.Any(p => p.Network == network.Id))
        {
            throw new ApiException(422, "server_already_attached", $"server is already attached to network {network.Id}");
        }
        AttachNetwork(record, network, request.Ip);
        return View(StartAction("attach_to_network", [ServerResource(serverId), new ActionResource { Id = network.Id, Type = "network" }]));
    }

    public CloudAction DetachFromNetwork(long serverId, DetachFromNetworkRequest request)
    {
        var record = RequireLockable(serverId);
        if (record.Server.PrivateNet.All(p => p.Network != request.Network))
        {
            throw new ApiException(422, "server_not_attached_to_network", $"server is not attached to network {request.Network}");
        }
        DetachNetwork(record, request.Network);
        return View(StartAction("detach_from_network", [ServerResource(serverId), new ActionResource { Id = request.Network, Type = "network" }]));
    }

    private void AttachNetwork(ServerRecord record, Network network, string? requestedIp)
    {
        var zone = record.Server.Location.NetworkZone;
        var subnet = network.Subnets.FirstOrDefault(s => s.NetworkZone == zone && s.IpRange is not null)
            ?? throw new ApiException(422, "no_subnet_available", $"network {network.Id} has no subnet in network zone {zone}");
        var (baseAddress, prefix) = ParseCidr(subnet.IpRange!, "ip");
        var used = _doc.Servers.SelectMany(s => s.Server.PrivateNet).Where(p => p.Network == network.Id).Select(p => p.Ip).ToHashSet();
        string ip;
        if (requestedIp is not null)
        {
            if (!IPAddress.TryParse(requestedIp, out var parsed) || !InRange(parsed, baseAddress, prefix))
            {
                throw Invalid("ip", $"'{requestedIp}' is not in subnet {subnet.IpRange}");
            }
            if (used.Contains(requestedIp))
            {
                throw new ApiException(422, "ip_not_available", $"{requestedIp} is already used");
            }
            ip = requestedIp;
        }
        else
        {
            // .1 is the gateway; hand out from .2 on.
            ip = Enumerable.Range(2, (1 << (32 - prefix)) - 3).Select(i => Offset(baseAddress, i).ToString()).FirstOrDefault(c => !used.Contains(c))
                ?? throw new ApiException(422, "ip_not_available", $"subnet {subnet.IpRange} is full");
        }
        var mac = $"86:00:00:{(record.Server.Id >> 8) & 0xff:x2}:{record.Server.Id & 0xff:x2}:{network.Id & 0xff:x2}";
        record.Server = record.Server with { PrivateNet = [.. record.Server.PrivateNet, new ServerPrivateNet { Network = network.Id, Ip = ip, MacAddress = mac }] };
        Replace(_doc.Networks, n => n.Id == network.Id, network with { Servers = [.. network.Servers, record.Server.Id] });
    }

    private void DetachNetwork(ServerRecord record, long networkId)
    {
        record.Server = record.Server with { PrivateNet = [.. record.Server.PrivateNet.Where(p => p.Network != networkId)] };
        var index = _doc.Networks.FindIndex(n => n.Id == networkId);
        if (index >= 0)
        {
            _doc.Networks[index] = _doc.Networks[index] with { Servers = [.. _doc.Networks[index].Servers.Where(s => s != record.Server.Id)] };
        }
        Touch();
    }

    private static Subnet NewSubnet((IPAddress Address, int Prefix) network, IReadOnlyList<Subnet> existing, CreateSubnet request)
    {
        if (request.Type is not ("cloud" or "server" or "vswitch"))
        {
            throw Invalid("subnets", $"type '{request.Type}' is not one of cloud, server, vswitch");
        }
        if (request.IpRange is null)
        {
            throw Invalid("subnets", "ip_range is required");
        }
        var (address, prefix) = ParseCidr(request.IpRange, "subnets");
        if (prefix < network.Prefix || !InRange(address, network.Address, network.Prefix))
        {
            throw Invalid("subnets", $"{request.IpRange} is not inside the network's range");
        }
        if (existing.Any(s => s.IpRange is { } r && Overlaps(ParseCidr(r, "subnets"), (address, prefix))))
        {
            throw Invalid("subnets", $"{request.IpRange} overlaps an existing subnet");
        }
        return new Subnet { Type = request.Type, IpRange = request.IpRange, NetworkZone = request.NetworkZone, Gateway = Offset(network.Address, 1).ToString(), VswitchId = request.VswitchId };
    }

    private static (IPAddress Address, int Prefix) ParseCidr(string? cidr, string field)
    {
        var parts = (cidr ?? "").Split('/');
        if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out var address) || address.AddressFamily != AddressFamily.InterNetwork
            || !int.TryParse(parts[1], out var prefix) || prefix is < 8 or > 30)
        {
            throw Invalid(field, $"'{cidr}' is not an IPv4 CIDR range with a prefix from /8 to /30");
        }
        if (!InRange(address, address, prefix) || Offset(Mask(address, prefix), 0).ToString() != address.ToString())
        {
            throw Invalid(field, $"'{cidr}' has host bits set");
        }
        return (address, prefix);
    }

    private static uint ToUInt(IPAddress a) => BitConverter.ToUInt32([.. a.GetAddressBytes().Reverse()], 0);

    private static IPAddress FromUInt(uint v) => new([.. BitConverter.GetBytes(v).Reverse()]);

    private static IPAddress Mask(IPAddress a, int prefix) => FromUInt(ToUInt(a) & (prefix == 0 ? 0 : uint.MaxValue << (32 - prefix)));

    private static IPAddress Offset(IPAddress a, int offset) => FromUInt(ToUInt(a) + (uint)offset);

    private static bool InRange(IPAddress candidate, IPAddress network, int prefix)
        => candidate.AddressFamily == AddressFamily.InterNetwork && ToUInt(Mask(candidate, prefix)) == ToUInt(Mask(network, prefix));

    private static bool Overlaps((IPAddress Address, int Prefix) a, (IPAddress Address, int Prefix) b)
    {
        var prefix = Math.Min(a.Prefix, b.Prefix);
        return ToUInt(Mask(a.Address, prefix)) == ToUInt(Mask(b.Address, prefix));
    }
}
