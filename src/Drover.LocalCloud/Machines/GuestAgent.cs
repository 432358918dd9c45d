using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Drover.LocalCloud.Machines;

/// <summary>
/// A minimal QEMU guest agent client over the VM's <c>org.qemu.guest_agent.0</c> channel (a Unix socket in the
/// machine's directory, reached through <c>/proc/self/fd/N/</c> as <see cref="Qmp"/> does): <c>guest-sync</c> with a
/// random id first, then one command. Null when the agent does not answer in time (none is running in the guest).
/// </summary>
internal static class GuestAgent
{
    /// <summary>The socket's name in the machine's directory.</summary>
    public const string SocketName = "qga.sock";

    private static readonly TimeSpan _timeout = TimeSpan.FromSeconds(5);

    public static async Task<JsonNode?> ExecuteAsync(string directory, string command, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        var handle = NativeMethods.Open(directory, NativeMethods.OpenPathCloseOnExec);
        if (handle < 0)
        {
            return null;
        }
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint($"/proc/self/fd/{handle}/{SocketName}"), deadline.Token);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var id = System.Security.Cryptography.RandomNumberGenerator.GetInt32(1, int.MaxValue);
            await SendAsync(stream, $"{{\"execute\":\"guest-sync\",\"arguments\":{{\"id\":{id.ToString(CultureInfo.InvariantCulture)}}}}}", deadline.Token);
            while (true)
            {
                // Replies of an earlier, abandoned exchange may come first: skip them until our sync comes back.
                var reply = await ReadAsync(reader, deadline.Token);
                if (reply?["return"] is JsonValue value && value.TryGetValue<long>(out var got) && got == id)
                {
                    break;
                }
            }
            await SendAsync(stream, $"{{\"execute\":\"{command}\"}}", deadline.Token);
            var answer = await ReadAsync(reader, deadline.Token);
            return answer?["return"]?.DeepClone();
        }
        catch (Exception e) when (e is SocketException or IOException or System.Text.Json.JsonException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
        finally
        {
            NativeMethods.Close(handle);
        }
    }

    private static Task SendAsync(NetworkStream stream, string json, CancellationToken cancellationToken)
        => stream.WriteAsync(Encoding.UTF8.GetBytes(json + "\n"), cancellationToken).AsTask();

    private static async Task<JsonNode?> ReadAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        var line = await reader.ReadLineAsync(cancellationToken) ?? throw new IOException("the guest agent channel closed");
        return JsonNode.Parse(line.TrimStart('\xff'));
    }
}
