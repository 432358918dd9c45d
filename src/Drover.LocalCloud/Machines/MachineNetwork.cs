namespace Drover.LocalCloud.Machines;

/// <summary>
/// A server's network on the host: a network namespace holding the server's IPv4 on one end of a veth pair, the host
/// end carrying <see cref="MachineRuntime.HostAddress"/>, and a <c>/32</c> route each way. Rescue systems and QEMU boots
/// share it; everything in it goes with <see cref="RescueTeardown"/>.
/// </summary>
internal static class MachineNetwork
{
    /// <summary>Creates the namespace and veth pair of <paramref name="entry"/> (already in the registry) for <paramref name="address"/>.</summary>
    public static async Task ConnectAsync(RegistryEntry entry, string nsVeth, string address, CancellationToken cancellationToken)
    {
        var ns = entry.Namespace;
        var hostVeth = entry.HostVeth;
        var host = MachineRuntime.HostAddress;
        await HostCommand.CheckAsync("ip", ["netns", "add", ns], cancellationToken);
        await HostCommand.CheckAsync("ip", ["link", "add", hostVeth, "type", "veth", "peer", "name", nsVeth, "netns", ns], cancellationToken);
        await HostCommand.CheckAsync("ip", ["addr", "add", $"{host}/32", "dev", hostVeth], cancellationToken);
        await HostCommand.CheckAsync("ip", ["link", "set", hostVeth, "up"], cancellationToken);
        await HostCommand.CheckAsync("ip", ["-n", ns, "link", "set", "lo", "up"], cancellationToken);
        await HostCommand.CheckAsync("ip", ["-n", ns, "addr", "add", $"{address}/32", "dev", nsVeth], cancellationToken);
        await HostCommand.CheckAsync("ip", ["-n", ns, "link", "set", nsVeth, "up"], cancellationToken);
        await HostCommand.CheckAsync("ip", ["-n", ns, "route", "add", $"{host}/32", "dev", nsVeth], cancellationToken);
        await HostCommand.CheckAsync("ip", ["route", "add", $"{address}/32", "dev", hostVeth, "src", host], cancellationToken);
    }

    /// <summary>Refuses an address that is already routed or assigned on this host (another local cloud, or a real network).</summary>
    public static async Task RefuseRoutedAddressAsync(string address, string what, CancellationToken cancellationToken)
    {
        var route = await HostCommand.CheckAsync("ip", ["-4", "route", "show", "to", "exact", $"{address}/32"], cancellationToken);
        var assigned = await HostCommand.CheckAsync("ip", ["-4", "-o", "addr", "show", "to", $"{address}/32"], cancellationToken);
        if (route.Trim().Length > 0 || assigned.Trim().Length > 0)
        {
            throw new MachineException($"address {address} is already in use on this host ({(route.Trim().Length > 0 ? "route: " + route.Trim() : "address: " + assigned.Trim())}); refusing to start {what} on it");
        }
    }
}
