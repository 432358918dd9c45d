using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Drover.LocalCloud.Http;
using Drover.LocalCloud.Machines;

namespace Drover.LocalCloud.Metadata;

/// <summary>
/// The metadata service: one plain HTTP/1.1 listener per server and audience, answering <see cref="MetadataDocuments"/>
/// for that server only (the port tells whose documents a request gets, as the source address does at Hetzner).
/// Guests reach their listener on <see cref="Machines.MachineRuntime.HostAddress"/> (bound with <c>IP_FREEBIND</c>, like
/// the file server) through QEMU's <c>guestfwd=tcp:169.254.169.254:80-cmd:nc HOST PORT</c>; tests and tools on the host
/// use a second listener on 127.0.0.1. Every answer closes the connection, so each <c>nc</c> ends after one request.
/// </summary>
internal sealed class MetadataServer : IAsyncDisposable
{
    private static readonly TimeSpan _headerTimeout = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly Dictionary<(long ServerId, string Address), Listener> _listeners = [];
    private readonly CancellationTokenSource _stop = new();
    private Func<long, MetadataSource?> _source = _ => null;
    private bool _disposed;

    /// <summary>Where the documents come from (the state, read under its lock per request).</summary>
    public void Attach(Func<long, MetadataSource?> source) => _source = source;

    /// <summary>The port of <paramref name="serverId"/>'s listener on <paramref name="address"/>, opened on first use.</summary>
    public int PortFor(long serverId, string address, bool freeBind)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_listeners.TryGetValue((serverId, address), out var existing))
            {
                return existing.Port;
            }
            var socket = TcpListen.On(address, freeBind);
            var listener = new Listener(socket, ((IPEndPoint)socket.LocalEndPoint!).Port);
            listener.Accepting = AcceptAsync(serverId, socket, _stop.Token);
            _listeners[(serverId, address)] = listener;
            return listener.Port;
        }
    }

    /// <summary>Closes the listeners of a deleted server.</summary>
    public void Forget(long serverId)
    {
        List<Listener> closing;
        lock (_gate)
        {
            closing = [.. _listeners.Where(l => l.Key.ServerId == serverId).Select(l => l.Value)];
            foreach (var key in _listeners.Keys.Where(k => k.ServerId == serverId).ToList())
            {
                _listeners.Remove(key);
            }
        }
        foreach (var listener in closing)
        {
            listener.Socket.Dispose();
        }
    }

    private async Task AcceptAsync(long serverId, Socket listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(serverId, client, cancellationToken), CancellationToken.None);
        }
    }

    private async Task ServeAsync(long serverId, Socket client, CancellationToken cancellationToken)
    {
        await using var stream = new NetworkStream(client, ownsSocket: true);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_headerTimeout);
            var head = await RawHttp.ReadHeadAsync(stream, timeout.Token);
            if (head is null)
            {
                return;
            }
            var request = head.Split("\r\n")[0].Split(' ');
            MetadataAnswer answer;
            if (request.Length != 3)
            {
                answer = new MetadataAnswer(400, MetadataDocuments.TextPlain, "400 Bad Request\n"u8.ToArray());
            }
            else if (request[0] is not ("GET" or "HEAD"))
            {
                answer = new MetadataAnswer(405, MetadataDocuments.TextPlain, "405 Method Not Allowed\n"u8.ToArray());
            }
            else
            {
                var source = _source(serverId);
                answer = source is null ? MetadataAnswer.NotFound : MetadataDocuments.Answer(source, request[1].Split('?')[0]);
            }
            await WriteAsync(stream, answer, request[0] == "HEAD", cancellationToken);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            // The client went away or was too slow; nothing to answer.
        }
    }

    private static async Task WriteAsync(NetworkStream stream, MetadataAnswer answer, bool headOnly, CancellationToken cancellationToken)
    {
        var reason = answer.Status switch
        {
            200 => "OK",
            204 => "No Content",
            400 => "Bad Request",
            404 => "Not Found",
            _ => "Method Not Allowed",
        };
        var header = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {answer.Status} {reason}\r\n")
            .Append(answer.ContentType is { } type ? $"Content-Type: {type}\r\n" : "")
            .Append(answer.Status == 204 ? "" : string.Create(CultureInfo.InvariantCulture, $"Content-Length: {answer.Body.Length}\r\n"))
            .Append("Connection: close\r\n\r\n")
            .ToString();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(header), cancellationToken);
        if (!headOnly && answer.Body.Length > 0)
        {
            await stream.WriteAsync(answer.Body, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<Listener> listeners;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            listeners = [.. _listeners.Values];
            _listeners.Clear();
        }
        await _stop.CancelAsync();
        foreach (var listener in listeners)
        {
            listener.Socket.Dispose();
            if (listener.Accepting is { } accepting)
            {
                await accepting;
            }
        }
        _stop.Dispose();
    }

    private sealed class Listener(Socket socket, int port)
    {
        public Socket Socket { get; } = socket;
        public int Port { get; } = port;
        public Task? Accepting { get; set; }
    }
}
