using System.Text.Json;
using Drover.Hcloud.Contracts;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Agent.Tests;

/// <summary>
/// The whole way from the local cloud to Nix: a server's metadata service answers the agent, the agent writes
/// /etc/hcloud-metadata.json (under a test root), and an impure evaluation of the example fleet reads it through
/// drover.nixosModules.hcloud: host name, root's keys and the IPv6 address are the server's.
/// </summary>
[MachineTier]
public sealed class NixMetadataTests
{
    [Fact]
    public async Task An_impure_evaluation_reads_what_the_agent_wrote_from_the_local_clouds_metadata()
    {
        var ct = TestContext.Current.CancellationToken;
        var (workspace, skip) = await NixWorkspace.CreateAsync(ct);
        if (workspace is null)
        {
            Assert.Skip(skip!);
        }
        await using var _ = workspace;
        await using var cloud = await TestLocalCloud.StartOnLoopbackAsync();
        var client = cloud.CreateClient();
        var key = await client.SshKeys.CreateAsync(new CreateSshKeyRequest { Name = "op", PublicKey = Ed25519("op@laptop") }, ct);
        var network = await client.Networks.CreateAsync(new CreateNetworkRequest
        {
            Name = "internal",
            IpRange = "10.0.0.0/16",
            Subnets = [new CreateSubnet { Type = "cloud", IpRange = "10.0.1.0/24", NetworkZone = "eu-central" }],
        }, ct);
        var server = (await client.Servers.CreateAsync(new CreateServerRequest
        {
            Name = "web1",
            ServerType = "cx23",
            Image = "ubuntu-24.04",
            Location = "fsn1",
            SshKeys = [key.Id],
            Networks = [network.Id],
        }, ct)).Server;
        using var endpointResponse = await cloud.ControlAsync(HttpMethod.Get, $"servers/{server.Id}/metadata-endpoint");
        var endpoint = JsonDocument.Parse(await endpointResponse.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("url").GetString()!;
        using var root = new TempRoot();

        var (exit, output) = await AgentHarness.RunAsync(root, new Uri(endpoint));
        exit.ShouldBe(0, output);
        var metadataFile = System.IO.Path.Combine(root.Path, "etc", "hcloud-metadata.json");
        var nixos = await workspace.EvalJsonAsync(workspace.Fleet, "nixosConfigurations.web1.config", """
            c: {
              inherit (c.hcloud) hostname instanceId publicIpv4 publicIpv6 sshKeys privateNetworks;
              hostName = c.networking.hostName;
              rootKeys = c.users.users.root.openssh.authorizedKeys.keys;
              address = c.systemd.network.networks."10-hcloud-public".address;
            }
            """, impure: true, extra: new Dictionary<string, string?> { ["HCLOUD_METADATA_FILE"] = metadataFile }, cancellationToken: ct);

        nixos.GetProperty("hostname").GetString().ShouldBe("web1");
        nixos.GetProperty("hostName").GetString().ShouldBe("web1");
        nixos.GetProperty("instanceId").GetInt64().ShouldBe(server.Id);
        nixos.GetProperty("publicIpv4").GetString().ShouldBe(server.PublicNet.Ipv4!.Ip);
        // The server's /64 with ::1 as its address, as Hetzner's network-config gives it.
        var ipv6 = server.PublicNet.Ipv6!.Ip.Split('/')[0] + "1/64";
        nixos.GetProperty("publicIpv6").GetString().ShouldBe(ipv6);
        nixos.GetProperty("address").EnumerateArray().Select(a => a.GetString()!).ToList().ShouldBe([ipv6]);
        nixos.GetProperty("rootKeys").EnumerateArray().Select(k => k.GetString()).ShouldBe([key.PublicKey]);
        nixos.GetProperty("sshKeys").EnumerateArray().Select(k => k.GetString()).ShouldBe([key.PublicKey]);
        var attached = nixos.GetProperty("privateNetworks").EnumerateArray().ShouldHaveSingleItem();
        attached.GetProperty("networkId").GetInt64().ShouldBe(network.Id);
        attached.GetProperty("ip").GetString()!.ShouldStartWith("10.0.1.");
    }

    /// <summary>An ed25519 public key line in OpenSSH's format (a fixed key: its bytes matter to nobody here).</summary>
    private static string Ed25519(string comment)
    {
        var type = "ssh-ed25519"u8.ToArray();
        var blob = new List<byte>();
        blob.AddRange([0, 0, 0, (byte)type.Length]);
        blob.AddRange(type);
        blob.AddRange([0, 0, 0, 32]);
        blob.AddRange(Enumerable.Range(1, 32).Select(i => (byte)(i * 7)));
        return $"ssh-ed25519 {Convert.ToBase64String([.. blob])} {comment}";
    }
}
