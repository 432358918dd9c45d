using System.Net.Sockets;
using System.Text;

namespace Drover.LocalCloud.Http;

/// <summary>The little HTTP/1.1 the raw socket servers (file server, metadata service) need.</summary>
internal static class RawHttp
{
    /// <summary>The largest request head accepted; a longer one is dropped.</summary>
    public const int MaxHeaderBytes = 16 * 1024;

    /// <summary>Reads a request head up to its blank line (without it); null when the peer closed early or it is too long.</summary>
    public static async Task<string?> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxHeaderBytes];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (n == 0)
            {
                return null;
            }
            filled += n;
            var text = Encoding.ASCII.GetString(buffer, 0, filled);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                return text[..end];
            }
        }
        return null;
    }
}
