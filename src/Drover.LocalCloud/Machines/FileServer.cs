using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Drover.LocalCloud.Http;

namespace Drover.LocalCloud.Machines;

/// <summary>
/// Serves registered host files over plain HTTP/1.1 (GET and HEAD, one byte range, <c>Connection: close</c>) at
/// <c>http://ADDRESS:PORT/files/TOKEN/NAME</c>, and the files under a registered directory at
/// <c>http://ADDRESS:PORT/files/TOKEN/PATH/IN/IT</c> (a tree laid out as a download site expects, such as the Talos
/// Image Factory's <c>image/ID/VERSION/FILE</c>). In machine mode ADDRESS is <see cref="MachineRuntime.HostAddress"/>,
/// which exists only on the host ends of rescue systems' veth pairs: the socket is bound with <c>IP_FREEBIND</c> before
/// any rescue runs, so rescue systems (which cannot reach the host's 127.0.0.1) can download from it. Without machines
/// it listens on 127.0.0.1. The unguessable token is the only access control.
/// </summary>
internal sealed class FileServer(string address, bool freeBind) : IAsyncDisposable
{
    private static readonly TimeSpan _headerTimeout = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, (string Path, bool Directory)> _files = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private Socket? _listener;
    private Task? _accepting;
    private int _port;
    private bool _disposed;

    /// <summary>Makes the file <paramref name="path"/> downloadable and returns its URL; for a directory, the URL its files are under (ending in <c>/</c>).</summary>
    public Uri Register(string path)
    {
        var directory = Path.IsPathFullyQualified(path) && Directory.Exists(path);
        if (!directory && (!Path.IsPathFullyQualified(path) || !File.Exists(path)))
        {
            throw new FileNotFoundException($"'{path}' is not an existing file or directory given by its absolute path", path);
        }
        EnsureListening();
        var token = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        _files[token] = (Path.TrimEndingDirectorySeparator(path), directory);
        return new Uri($"http://{address}:{_port}/files/{token}/{(directory ? "" : Uri.EscapeDataString(Path.GetFileName(path)))}");
    }

    /// <summary>The registered file a request path names (<c>files/TOKEN/NAME</c>, or <c>files/TOKEN/A/B</c> under a directory), or null.</summary>
    private string? Resolve(string target)
    {
        var parts = target.Split('?')[0].Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        if (parts.Length < 3 || parts[0] != "files" || !_files.TryGetValue(parts[1], out var registered))
        {
            return null;
        }
        if (!registered.Directory)
        {
            return parts.Length == 3 && parts[2] == Path.GetFileName(registered.Path) && File.Exists(registered.Path) ? registered.Path : null;
        }
        if (parts.Skip(2).Any(p => p is "." or ".." || p.Contains('/', StringComparison.Ordinal) || p.Contains('\0', StringComparison.Ordinal)))
        {
            return null;
        }
        var path = Path.Combine([registered.Path, .. parts.Skip(2)]);
        return File.Exists(path) ? path : null;
    }

    private void EnsureListening()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_listener is not null)
            {
                return;
            }
            var socket = TcpListen.On(address, freeBind);
            _port = ((IPEndPoint)socket.LocalEndPoint!).Port;
            _listener = socket;
            _accepting = AcceptAsync(socket, _stop.Token);
        }
    }

    private async Task AcceptAsync(Socket listener, CancellationToken cancellationToken)
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
            _ = Task.Run(() => ServeAsync(client, cancellationToken), CancellationToken.None);
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken cancellationToken)
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
            await RespondAsync(stream, head, cancellationToken);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            // The client went away or was too slow; nothing to answer.
        }
    }

    private async Task RespondAsync(NetworkStream stream, string head, CancellationToken cancellationToken)
    {
        var lines = head.Split("\r\n");
        var request = lines[0].Split(' ');
        if (request.Length != 3)
        {
            await WriteStatusAsync(stream, 400, "Bad Request", cancellationToken);
            return;
        }
        var (method, target) = (request[0], request[1]);
        if (method is not ("GET" or "HEAD"))
        {
            await WriteStatusAsync(stream, 405, "Method Not Allowed", cancellationToken, "Allow: GET, HEAD\r\n");
            return;
        }
        if (Resolve(target) is not { } path)
        {
            await WriteStatusAsync(stream, 404, "Not Found", cancellationToken);
            return;
        }
        var length = new FileInfo(path).Length;
        var range = lines.Skip(1).Select(l => l.Split(':', 2)).Where(h => h.Length == 2 && h[0].Trim().Equals("Range", StringComparison.OrdinalIgnoreCase))
            .Select(h => h[1].Trim()).FirstOrDefault();
        var (start, end, partial) = (0L, length - 1, false);
        if (range is not null)
        {
            if (!TryParseRange(range, length, out start, out end))
            {
                await WriteStatusAsync(stream, 416, "Range Not Satisfiable", cancellationToken, $"Content-Range: bytes */{length}\r\n");
                return;
            }
            partial = true;
        }
        var count = Math.Max(0, end - start + 1);
        var header = new StringBuilder()
            .Append(partial ? "HTTP/1.1 206 Partial Content\r\n" : "HTTP/1.1 200 OK\r\n")
            .Append("Content-Type: application/octet-stream\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Length: {count}\r\n")
            .Append(partial ? string.Create(CultureInfo.InvariantCulture, $"Content-Range: bytes {start}-{end}/{length}\r\n") : "")
            .Append("Accept-Ranges: bytes\r\nConnection: close\r\n\r\n")
            .ToString();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(header), cancellationToken);
        if (method == "GET" && count > 0)
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            file.Seek(start, SeekOrigin.Begin);
            var buffer = new byte[1 << 20];
            var left = count;
            while (left > 0)
            {
                var n = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken);
                if (n == 0)
                {
                    break;
                }
                await stream.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                left -= n;
            }
        }
    }

    /// <summary>One range of <c>bytes=a-b</c>, <c>bytes=a-</c> or <c>bytes=-n</c>, clamped to the file.</summary>
    internal static bool TryParseRange(string header, long length, out long start, out long end)
    {
        (start, end) = (0, -1);
        if (!header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) || header.Contains(',', StringComparison.Ordinal))
        {
            return false;
        }
        var spec = header[6..].Split('-');
        if (spec.Length != 2)
        {
            return false;
        }
        var hasFirst = long.TryParse(spec[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first);
        var hasLast = long.TryParse(spec[1], NumberStyles.None, CultureInfo.InvariantCulture, out var last);
        if (hasFirst)
        {
            (start, end) = (first, hasLast ? Math.Min(last, length - 1) : length - 1);
            return first < length && (!hasLast || last >= first);
        }
        if (hasLast && spec[0].Length == 0 && last > 0 && length > 0)
        {
            (start, end) = (Math.Max(0, length - last), length - 1);
            return true;
        }
        return false;
    }

    private static Task WriteStatusAsync(NetworkStream stream, int status, string reason, CancellationToken cancellationToken, string extraHeaders = "")
    {
        var body = $"{status} {reason}\n";
        var text = string.Create(CultureInfo.InvariantCulture,
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\n{extraHeaders}Connection: close\r\n\r\n{body}");
        return stream.WriteAsync(Encoding.ASCII.GetBytes(text), cancellationToken).AsTask();
    }

    public async ValueTask DisposeAsync()
    {
        Socket? listener;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            listener = _listener;
        }
        await _stop.CancelAsync();
        listener?.Dispose();
        if (_accepting is not null)
        {
            await _accepting;
        }
        _stop.Dispose();
    }
}
