namespace Drover.LocalCloud.Metadata;

/// <summary>What the metadata service tells one server about itself, taken from the state when a request comes in.</summary>
/// <param name="InstanceId">The server's ID (equal to the SMBIOS serial of a QEMU boot).</param>
/// <param name="Hostname">The server's name.</param>
/// <param name="AvailabilityZone">The datacenter's name, e.g. <c>fsn1-dc14</c>.</param>
/// <param name="Region">The network zone, e.g. <c>eu-central</c>.</param>
/// <param name="PublicIpv4">The public IPv4, or null when the server has none.</param>
/// <param name="Ipv6Network">The public IPv6 /64 (<c>2001:db8:1::/64</c>), or null.</param>
/// <param name="MacAddress">The public interface's MAC.</param>
/// <param name="PublicKeys">The public keys of the SSH keys given at create, one OpenSSH line each.</param>
/// <param name="UserData">The user data given at create or rebuild, or null.</param>
/// <param name="PrivateNetworks">The attached private networks.</param>
internal sealed record MetadataSource(
    long InstanceId,
    string Hostname,
    string AvailabilityZone,
    string Region,
    string? PublicIpv4,
    string? Ipv6Network,
    string MacAddress,
    IReadOnlyList<string> PublicKeys,
    string? UserData,
    IReadOnlyList<PrivateNetworkMetadata> PrivateNetworks);

/// <summary>One entry of <c>/hetzner/v1/metadata/private-networks</c>.</summary>
internal sealed record PrivateNetworkMetadata(
    string Ip,
    IReadOnlyList<string> AliasIps,
    int InterfaceNum,
    string MacAddress,
    long NetworkId,
    string NetworkName,
    string Network,
    string Subnet,
    string Gateway);
