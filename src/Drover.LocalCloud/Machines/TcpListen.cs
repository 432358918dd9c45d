using System.Net;
using System.Net.Sockets;

namespace Drover.LocalCloud.Machines;

/// <summary>Opens the IPv4 TCP listeners of the machine layer (file server, metadata service) on a free port.</summary>
internal static class TcpListen
{
    /// <summary>Linux <c>IP_FREEBIND</c>: bind an address that is not (yet) on any interface, such as a guest's gateway.</summary>
    private const int IpFreeBind = 15;

    /// <summary>A listening socket on <paramref name="address"/> and a port the kernel picks; the caller owns it.</summary>
    public static Socket On(string address, bool freeBind)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (freeBind)
            {
                socket.SetRawSocketOption((int)SocketOptionLevel.IP, IpFreeBind, BitConverter.GetBytes(1));
            }
            socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
            socket.Listen(64);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
