using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Drover.LocalCloud.Machines;
using Drover.LocalCloud.Tests.Support;
using Shouldly;
using Xunit;

namespace Drover.LocalCloud.Tests.Proxmox;

/// <summary>The guest agent client against a fake agent on the channel's Unix socket (QGA's JSON lines).</summary>
public sealed class GuestAgentTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task It_syncs_then_returns_the_commands_return_value()
    {
        // Arrange
        using var directory = new TempDirectory();
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(directory.File(GuestAgent.SocketName)));
        listener.Listen();
        var agent = Task.Run(async () =>
        {
            using var connection = await listener.AcceptAsync(Ct);
            await using var stream = new NetworkStream(connection);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var sync = JsonNode.Parse((await reader.ReadLineAsync(Ct))!)!;
            var id = sync["arguments"]!["id"]!.GetValue<long>();
            // A stale reply first, as after an abandoned exchange, then the sync's.
            await stream.WriteAsync(Encoding.UTF8.GetBytes($"{{\"return\": 7}}\n{{\"return\": {id}}}\n"), Ct);
            var command = JsonNode.Parse((await reader.ReadLineAsync(Ct))!)!;
            command["execute"]!.GetValue<string>().ShouldBe("guest-network-get-interfaces");
            await stream.WriteAsync(Encoding.UTF8.GetBytes("""{"return": [{"name": "eth0", "hardware-address": "bc:24:11:aa:bb:cc", "ip-addresses": [{"ip-address": "198.19.254.10", "ip-address-type": "ipv4", "prefix": 24}]}]}""" + "\n"), Ct);
        }, Ct);

        // Act
        var result = await GuestAgent.ExecuteAsync(directory.Path, "guest-network-get-interfaces", Ct);
        await agent;

        // Assert
        result.ShouldNotBeNull();
        result[0]!["name"]!.GetValue<string>().ShouldBe("eth0");
        result[0]!["ip-addresses"]![0]!["ip-address"]!.GetValue<string>().ShouldBe("198.19.254.10");
    }

    [Fact]
    public async Task Without_an_agent_channel_it_answers_null()
    {
        // Arrange
        using var directory = new TempDirectory();

        // Act
        var result = await GuestAgent.ExecuteAsync(directory.Path, "guest-ping", Ct);

        // Assert
        result.ShouldBeNull();
    }
}
