using System.Text;
using Shouldly;
using Xunit;

namespace Drover.Agent.Tests.NoCloud;

public sealed class NoCloudParsingTests
{
    private const string Header = "# Written by drover-agent from the NoCloud drive's network-config.\n";

    private static NoCloudSeed Seed(string? metaData, string? userData, string? network = null) =>
        new("/dev/sr0", metaData, userData is null ? null : Encoding.UTF8.GetBytes(userData), network);

    [Fact]
    public void Proxmox_network_config_v1_gives_one_unit_per_mac_with_every_subnet_type_and_the_nameserver_entry()
    {
        // Act
        var files = NetworkdFiles.RenderNoCloud(NoCloudNetwork.Parse(NoCloudFixtures.ProxmoxNetworkV1));

        // Assert
        files.Select(f => f.Name).ShouldBe(["10-drover-nocloud-0.network", "10-drover-nocloud-1.network", "10-drover-nocloud-2.network"]);
        const string Dns = "DNS=10.0.0.53\nDNS=fd00::53\nDomains=example.internal\n";
        files[0].Content.ShouldBe(Header + $"[Match]\nMACAddress={NoCloudFixtures.Mac0}\n\n[Network]\nDHCP=no\n"
            + "Address=10.0.0.5/24\nAddress=fd00::5/64\nGateway=10.0.0.1\nGateway=fd00::1\n" + Dns);
        files[1].Content.ShouldBe(Header + $"[Match]\nMACAddress={NoCloudFixtures.Mac1}\n\n[Network]\nDHCP=ipv4\nIPv6AcceptRA=yes\n" + Dns);
        files[2].Content.ShouldBe(Header + $"[Match]\nMACAddress={NoCloudFixtures.Mac2}\n\n[Network]\nDHCP=ipv6\n" + Dns);
    }

    [Fact]
    public void Network_config_v2_matches_by_mac_and_turns_default_routes_into_gateways_and_others_into_route_sections()
    {
        // Act
        var files = NetworkdFiles.RenderNoCloud(NoCloudNetwork.Parse(NoCloudFixtures.NetworkV2));

        // Assert
        files.Count.ShouldBe(2);
        files[0].Content.ShouldBe(Header + $"[Match]\nMACAddress={NoCloudFixtures.Mac0}\n\n[Network]\nDHCP=no\n"
            + "Address=192.168.7.20/24\nAddress=fd00:7::20/64\nGateway=192.168.7.1\nGateway=fd00:7::1\n"
            + "DNS=192.168.7.53\nDomains=lab.example\n\n[Route]\nDestination=10.20.0.0/16\nGateway=192.168.7.254\n");
        files[1].Content.ShouldBe(Header + $"[Match]\nMACAddress={NoCloudFixtures.Mac1}\n\n[Network]\nDHCP=yes\n");
    }

    [Fact]
    public void Network_config_v2_without_a_mac_matches_the_interface_name_as_Drovers_own_seed_writes_it()
    {
        // Arrange: the shape of `drover userdata render --format nocloud` with a static network.
        const string drover = "version: 2\nethernets:\n  ens18:\n    addresses:\n    - 10.1.2.3/24\n    routes:\n    - to: 0.0.0.0/0\n      via: 10.1.2.1\n    nameservers:\n      addresses:\n      - 1.1.1.1\n";

        // Act
        var files = NetworkdFiles.RenderNoCloud(NoCloudNetwork.Parse(drover));

        // Assert
        files.Single().Content.ShouldBe(Header + "[Match]\nName=ens18\n\n[Network]\nDHCP=no\nAddress=10.1.2.3/24\nGateway=10.1.2.1\nDNS=1.1.1.1\n");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("network:\n  config: disabled\n")]
    public void No_or_disabled_network_config_means_no_units(string? text) =>
        NoCloudNetwork.Parse(text).ShouldBeEmpty();

    [Theory]
    [InlineData("config: []\n", "has no version")]
    [InlineData("version: 3\n", "has version 3")]
    [InlineData("- a list\n", "is not a YAML mapping")]
    public void Unusable_network_config_is_an_error_naming_the_file(string text, string message) =>
        Should.Throw<AgentException>(() => NoCloudNetwork.Parse(text)).Message.ShouldContain(message);

    [Fact]
    public void Proxmox_meta_data_and_user_data_give_the_instance_id_the_user_datas_hostname_and_its_keys()
    {
        // Act
        var data = NoCloudData.Parse(Seed(NoCloudFixtures.ProxmoxMetaData, NoCloudFixtures.ProxmoxUserData, NoCloudFixtures.ProxmoxNetworkV1));

        // Assert
        data.InstanceId.ShouldBe(NoCloudFixtures.InstanceId);
        data.Hostname.ShouldBe("pve-web1");
        data.PublicKeys.ShouldBe([Fixtures.Key1, Fixtures.Key2]);
        data.Interfaces.Count.ShouldBe(3);
        data.Document["meta-data"]!["instance-id"]!.GetValue<string>().ShouldBe(NoCloudFixtures.InstanceId);
        data.Document["network-config"]!["version"]!.GetValue<long>().ShouldBe(1);
        data.Document["source"]!.GetValue<string>().ShouldBe("nocloud");
    }

    [Fact]
    public void Meta_datas_local_hostname_wins_and_its_public_keys_join_the_root_users_keys()
    {
        // Arrange
        const string metaData = $"instance-id: i-1\nlocal-hostname: from-meta\npublic-keys:\n  - {Fixtures.Key1}\n";
        const string userData = $"#cloud-config\nhostname: from-user\nusers:\n  - name: root\n    ssh_authorized_keys: ['{Fixtures.Key2}']\n  - name: ops\n    ssh_authorized_keys: ['ssh-ed25519 AAAAnotroot ops']\n";

        // Act
        var data = NoCloudData.Parse(Seed(metaData, userData));

        // Assert
        data.Hostname.ShouldBe("from-meta");
        data.PublicKeys.ShouldBe([Fixtures.Key1, Fixtures.Key2]);
        data.Interfaces.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("#cloud-config\nfqdn: db1.example.internal\n", "db1")]
    [InlineData("#!/bin/sh\necho a script\n", null)]
    [InlineData(null, null)]
    public void Without_local_hostname_or_hostname_the_fqdns_first_label_or_nothing(string? userData, string? hostname) =>
        NoCloudData.Parse(Seed("instance-id: i-2\n", userData)).Hostname.ShouldBe(hostname);

    [Fact]
    public void A_multipart_user_data_is_read_like_the_hetzner_one()
    {
        // Arrange
        const string multipart = "Content-Type: multipart/mixed; boundary=\"XYZ\"\nMIME-Version: 1.0\n\n--XYZ\nContent-Type: text/x-shellscript\n\n#!/bin/sh\ntrue\n"
            + "--XYZ\nContent-Type: text/cloud-config\n\n#cloud-config\nhostname: mp1\n--XYZ--\n";

        // Act / Assert
        NoCloudData.Parse(Seed("instance-id: i-3\n", multipart)).Hostname.ShouldBe("mp1");
    }

    [Theory]
    [InlineData(null, "has no meta-data file")]
    [InlineData("local-hostname: x\n", "has no instance-id")]
    [InlineData("[1, 2]\n", "is not a YAML mapping")]
    public void Meta_data_without_an_instance_id_is_an_error_naming_the_device(string? metaData, string message) =>
        Should.Throw<AgentException>(() => NoCloudData.Parse(Seed(metaData, null))).Message.ShouldBe(
            message == "has no meta-data file" ? $"the NoCloud drive /dev/sr0 {message}" : $"the NoCloud meta-data on /dev/sr0 {message}");

    [Fact]
    public void Hetzners_network_config_renders_as_before()
    {
        // The v1 reader grew nameserver entries, ipv6_slaac and routes: Hetzner's document must not change its unit.
        var metadata = HcloudMetadata.Parse(Fixtures.Metadata, null);

        NetworkdFiles.Render(metadata).Single().Content.ShouldBe(
            "# Written by drover-agent from the metadata service's network-config (public interface).\n"
            + $"[Match]\nMACAddress={Fixtures.PublicMac}\n\n[Network]\nDHCP=ipv4\nAddress=2a01:4f8:c012:abcd::1/64\nGateway=fe80::1\n"
            + "DNS=185.12.64.1\nDNS=185.12.64.2\nDNS=2a01:4ff:ff00::add:2\nDNS=2a01:4ff:ff00::add:1\n");
    }
}
