using System.Net.Sockets;
using System.Text;

namespace Drover.LocalCloud.Machines;

/// <summary>
/// A minimal QMP client: connect to QEMU's control socket, leave capabilities negotiation, run one command. The socket
/// lives in the machine's own directory, however deep: it is reached as <c>/proc/self/fd/N/NAME</c> through a handle on
/// that directory, since a Unix socket path is limited to 108 bytes.
/// </summary>
internal static class Qmp
{
    /// <summary>The socket's name in the machine's directory (QEMU binds it relative to its working directory).</summary>
    public const string SocketName = "qmp.sock";

    private static readonly TimeSpan _timeout = TimeSpan.FromSeconds(10);

    /// <summary>Runs <paramref name="command"/> (e.g. <c>system_powerdown</c>); throws when QEMU answers with an error or not at all.</summary>
    public static async Task ExecuteAsync(string directory, string command, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        var socketPath = Path.Combine(directory, SocketName);
        var handle = NativeMethods.Open(directory, NativeMethods.OpenPathCloseOnExec);
        if (handle < 0)
        {
            throw new MachineException($"QMP {command}: cannot open {directory} (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()})");
        }
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint($"/proc/self/fd/{handle}/{SocketName}"), deadline.Token);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            await ReadUntilAsync(reader, "\"QMP\"", deadline.Token);
            await SendAsync(stream, "qmp_capabilities", deadline.Token);
            await ReadUntilAsync(reader, "\"return\"", deadline.Token);
            await SendAsync(stream, command, deadline.Token);
            await ReadUntilAsync(reader, "\"return\"", deadline.Token);
        }
        catch (Exception e) when (e is SocketException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new MachineException($"QMP {command} over {socketPath} failed: {e.Message}", e);
        }
        finally
        {
            NativeMethods.Close(handle);
        }
    }

    private static Task SendAsync(NetworkStream stream, string command, CancellationToken cancellationToken)
        => stream.WriteAsync(Encoding.UTF8.GetBytes($"{{\"execute\": \"{command}\"}}\n"), cancellationToken).AsTask();

    /// <summary>Reads lines (skipping events) until one contains <paramref name="marker"/>; an error reply throws.</summary>
    private static async Task ReadUntilAsync(StreamReader reader, string marker, CancellationToken cancellationToken)
    {
        while (true)
        {
            var line = await reader.ReadLineAsync(cancellationToken) ?? throw new IOException("QEMU closed the QMP connection");
            if (line.Contains("\"error\"", StringComparison.Ordinal))
            {
                throw new IOException($"QEMU answered {line.Trim()}");
            }
            if (line.Contains(marker, StringComparison.Ordinal))
            {
                return;
            }
        }
    }
}
