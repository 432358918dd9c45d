using System.Net;
using System.Text.Json;
using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Tests.Support;
using Drover.Testing;
using Shouldly;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace Drover.LocalCloud.Tests;

/// <summary>
/// The metadata service each server gets (what it sees at 169.254.169.254), reached from the host through
/// <c>GET /__localcloud/servers/{id}/metadata-endpoint</c>. Needs no machines: it runs on 127.0.0.1 in any mode.
/// </summary>
public sealed class MetadataServiceTests
{
    private static readonly string _publicKey = TestKeys.Ed25519(42, "user@workstation");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_metadata_document_is_yaml_with_the_servers_identity_keys_and_network_config()
    {
        // Arrange
        await using var cloud = await TestLocalCloud.StartOnLoopbackAsync();
        var server = await CreateServerAsync(cloud, "meta-1", "#cloud-config\nhostname: meta-1\n");
        var endpoint = await EndpointOfAsync(cloud, server.Id);

        // Act
        var (status, _, body) = await GetAsync(endpoint.MetadataUrl);

        // Assert
        status.ShouldBe(HttpStatusCode.OK);
        var yaml = Yaml(body);
        Scalar(yaml, "availability-zone").ShouldBe(server.Datacenter.Name);
        Scalar(yaml, "hostname").ShouldBe("meta-1");
        Scalar(yaml, "instance-id").ShouldBe(server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Scalar(yaml, "local-ipv4").ShouldBe("");
        Scalar(yaml, "public-ipv4").ShouldBe(server.PublicNet.Ipv4!.Ip);
        Scalar(yaml, "region").ShouldBe(server.Location.NetworkZone);
        ((YamlSequenceNode)yaml.Children[new YamlScalarNode("public-keys")]).Children.Select(k => ((YamlScalarNode)k).Value).ShouldBe([_publicKey]);
        Scalar(yaml, "vendor_data").ShouldStartWith("Content-Type: multipart/mixed");
        var network = (YamlMappingNode)yaml.Children[new YamlScalarNode("network-config")];
        CheckNetworkConfig(network, server);
        ((IEnumerable<string>)yaml.Children.Keys.Select(k => ((YamlScalarNode)k).Value!)).ShouldBe(
            ["availability-zone", "hostname", "instance-id", "local-ipv4", "network-config", "public-ipv4", "public-keys", "region", "vendor_data"]);
    }

    [Fact]
    public async Task Sub_paths_answer_text_yaml_and_json_and_unknown_paths_404()
    {
        // Arrange
        await using var cloud = await TestLocalCloud.StartOnLoopbackAsync();
        var server = await CreateServerAsync(cloud, "meta-2", null);
        var endpoint = await EndpointOfAsync(cloud, server.Id);

        // Act
        var hostname = await GetAsync(endpoint.MetadataUrl + "/hostname");
        var instance = await GetAsync(endpoint.MetadataUrl + "/instance-id");
        var ipv4 = await GetAsync(endpoint.MetadataUrl + "/public-ipv4");
        var zone = await GetAsync(endpoint.MetadataUrl + "/availability-zone");
        var region = await GetAsync(endpoint.MetadataUrl + "/region");
        var networks = await GetAsync(endpoint.MetadataUrl + "/private-networks");
        var keys = await GetAsync(endpoint.MetadataUrl + "/public-keys");
        var config = await GetAsync(endpoint.MetadataUrl + "/network-config");
        var unknown = await GetAsync(endpoint.MetadataUrl + "/vendor_data-nope");
        var outside = await GetAsync(endpoint.Url + "other");

        // Assert
        hostname.Body.ShouldBe("meta-2");
        instance.Body.ShouldBe(server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        ipv4.Body.ShouldBe(server.PublicNet.Ipv4!.Ip);
        zone.Body.ShouldBe(server.Datacenter.Name);
        region.Body.ShouldBe("eu-central");
        Root(networks.Body).ShouldBeOfType<YamlSequenceNode>().Children.ShouldBeEmpty();
        keys.ContentType.ShouldBe("application/json");
        JsonSerializer.Deserialize(keys.Body, MetadataTestJson.Default.StringArray).ShouldBe([_publicKey]);
        CheckNetworkConfig(Yaml(config.Body), server);
        unknown.Status.ShouldBe(HttpStatusCode.NotFound);
        outside.Status.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Userdata_is_the_raw_bytes_or_204_without_a_content_type()
    {
        // Arrange
        await using var cloud = await TestLocalCloud.StartOnLoopbackAsync();
        const string UserData = "#cloud-config\nruncmd:\n  - echo 'ünïcode & \"quotes\"'\n";
        var with = await CreateServerAsync(cloud, "ud-1", UserData);
        var without = await CreateServerAsync(cloud, "ud-2", null);

        // Act
        var given = await GetAsync((await EndpointOfAsync(cloud, with.Id)).UserdataUrl);
        var none = await GetAsync((await EndpointOfAsync(cloud, without.Id)).UserdataUrl);

        // Assert
        given.Status.ShouldBe(HttpStatusCode.OK);
        given.Body.ShouldBe(UserData);
        none.Status.ShouldBe(HttpStatusCode.NoContent);
        none.ContentType.ShouldBeNull();
        none.Body.ShouldBeEmpty();
    }

    [Fact]
    public async Task Private_networks_list_each_attached_network_and_a_rename_shows_at_once()
    {
        // Arrange
        await using var cloud = await TestLocalCloud.StartOnLoopbackAsync();
        var client = cloud.CreateClient();
        var network = await client.Networks.CreateAsync(new CreateNetworkRequest
        {
            Name = "meta-net",
            IpRange = "10.0.0.0/16",
            Subnets = [new CreateSubnet { Type = "cloud", IpRange = "10.0.1.0/24", NetworkZone = "eu-central" }],
        }, Ct);
        var server = await CreateServerAsync(cloud, "meta-3", null, network.Id);
        var endpoint = await EndpointOfAsync(cloud, server.Id);
        await client.Servers.UpdateAsync(server.Id, new UpdateServerRequest { Name = "meta-3-renamed" }, Ct);

        // Act
        var networks = await GetAsync(endpoint.MetadataUrl + "/private-networks");
        var hostname = await GetAsync(endpoint.MetadataUrl + "/hostname");

        // Assert
        var list = (YamlSequenceNode)Root(networks.Body);
        var entry = (YamlMappingNode)list.Children.ShouldHaveSingleItem();
        Scalar(entry, "ip").ShouldStartWith("10.0.1.");
        Scalar(entry, "network_id").ShouldBe(network.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Scalar(entry, "network_name").ShouldBe("meta-net");
        Scalar(entry, "network").ShouldBe("10.0.0.0/16");
        Scalar(entry, "subnet").ShouldBe("10.0.1.0/24");
        Scalar(entry, "interface_num").ShouldBe("1");
        Scalar(entry, "mac_address").ShouldStartWith("86:");
        hostname.Body.ShouldBe("meta-3-renamed");
    }

    private static void CheckNetworkConfig(YamlMappingNode network, Server server)
    {
        Scalar(network, "version").ShouldBe("1");
        var eth0 = (YamlMappingNode)((YamlSequenceNode)network.Children[new YamlScalarNode("config")]).Children.ShouldHaveSingleItem();
        Scalar(eth0, "type").ShouldBe("physical");
        Scalar(eth0, "name").ShouldBe("eth0");
        Scalar(eth0, "mac_address").ShouldMatch("^96:00(:[0-9a-f]{2}){4}$");
        var subnets = ((YamlSequenceNode)eth0.Children[new YamlScalarNode("subnets")]).Children.Cast<YamlMappingNode>().ToList();
        Scalar(subnets[0], "type").ShouldBe("dhcp");
        Scalar(subnets[0], "ipv4").ShouldBe("true");
        Scalar(subnets[1], "type").ShouldBe("static");
        Scalar(subnets[1], "address").ShouldBe(server.PublicNet.Ipv6!.Ip.Split('/')[0] + "1/64");
        Scalar(subnets[1], "gateway").ShouldBe("fe80::1");
    }

    private static async Task<Server> CreateServerAsync(TestLocalCloud cloud, string name, string? userData, long? network = null)
    {
        var client = cloud.CreateClient();
        var key = (await client.SshKeys.ListAsync(cancellationToken: Ct).ToListAsync(Ct)).FirstOrDefault()
            ?? await client.SshKeys.CreateAsync(new CreateSshKeyRequest { Name = "meta-key", PublicKey = _publicKey }, Ct);
        var created = await client.Servers.CreateAsync(new CreateServerRequest
        {
            Name = name,
            ServerType = "cx23",
            Image = "ubuntu-24.04",
            Location = "fsn1",
            SshKeys = [key.Id],
            UserData = userData,
            Networks = network is { } n ? [n] : null,
        }, Ct);
        return created.Server;
    }

    private static async Task<ControlMetadataEndpoint> EndpointOfAsync(TestLocalCloud cloud, long serverId)
    {
        using var response = await cloud.ControlAsync(HttpMethod.Get, $"servers/{serverId}/metadata-endpoint");
        var endpoint = JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(Ct), LocalCloudJsonContext.Default.ControlMetadataEndpoint)!;
        endpoint.Url.ShouldStartWith("http://127.0.0.1:");
        return endpoint;
    }

    /// <summary>A plain GET without credentials, as a guest's metadata client sends it.</summary>
    private static async Task<(HttpStatusCode Status, string? ContentType, string Body)> GetAsync(string url)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(url), Ct);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(Ct));
    }

    private static YamlMappingNode Yaml(string text) => (YamlMappingNode)Root(text);

    private static YamlNode Root(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents[0].RootNode;
    }

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node.Children[new YamlScalarNode(key)]).Value!;
}

/// <summary>Source-generated JSON for the metadata tests.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
internal sealed partial class MetadataTestJson : System.Text.Json.Serialization.JsonSerializerContext;
