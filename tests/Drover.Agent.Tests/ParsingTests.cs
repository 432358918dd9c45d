using System.Text.Json.Nodes;
using Shouldly;
using Xunit;

namespace Drover.Agent.Tests;

public sealed class ParsingTests
{
    [Fact]
    public void Metadata_document_becomes_typed_values_and_json()
    {
        // Act
        var metadata = HcloudMetadata.Parse(Fixtures.Metadata, Fixtures.PrivateNetworks);

        // Assert
        metadata.Hostname.ShouldBe("web1");
        metadata.InstanceId.ShouldBe("42");
        metadata.PublicKeys.ShouldBe([Fixtures.Key1, Fixtures.Key2]);
        var nic = metadata.Interfaces.ShouldHaveSingleItem();
        nic.MacAddress.ShouldBe(Fixtures.PublicMac);
        nic.Dhcp4.ShouldBeTrue();
        nic.Addresses.ShouldBe(["2a01:4f8:c012:abcd::1/64"]);
        nic.Gateways.ShouldBe(["fe80::1"]);
        metadata.PrivateNetworks.Select(p => (p.MacAddress, p.NetworkId)).ShouldBe([(Fixtures.PrivateMac1, (long?)1234), (Fixtures.PrivateMac2, 5678)]);
        metadata.Document["public-ipv4"]!.GetValue<string>().ShouldBe("203.0.113.10");
        metadata.Document["vendor_data"]!.GetValue<string>().ShouldStartWith("Content-Type: multipart/mixed");
    }

    [Theory]
    [InlineData("hostname: x\n", "no instance-id")]
    [InlineData("instance-id: 1\n", "no hostname")]
    [InlineData("- a\n", "not a YAML mapping")]
    [InlineData("hostname: [\n", "not valid YAML")]
    public void Bad_metadata_is_a_clear_error(string yaml, string message)
    {
        Should.Throw<AgentException>(() => HcloudMetadata.Parse(yaml, null)).Message.ShouldContain(message);
    }

    [Fact]
    public void Empty_private_networks_are_an_empty_list()
    {
        var metadata = HcloudMetadata.Parse("hostname: a\ninstance-id: 7\n", "[]");

        metadata.PrivateNetworks.ShouldBeEmpty();
        metadata.Document["private-networks"].ShouldBeOfType<JsonArray>().Count.ShouldBe(0);
        NetworkdFiles.Render(metadata).ShouldBeEmpty();
    }

    [Fact]
    public void Older_network_config_with_an_alias_entry_joins_the_base_interface()
    {
        // Arrange: the eth0:0 form of older servers (reference §5 notes), gateway with a zone index.
        const string yaml = """
            hostname: old
            instance-id: 9
            network-config:
              version: 1
              config:
              - type: physical
                name: eth0
                mac_address: 96:00:00:AA:BB:CC
                subnets:
                - type: dhcp
              - type: physical
                name: eth0:0
                subnets:
                - type: static
                  address: 2a01:4f8:1:2::1
                  netmask: 64
                  routes:
                  - gateway: fe80::1%eth0
                    netmask: 0
                    network: '::'
            """;

        // Act
        var files = NetworkdFiles.Render(HcloudMetadata.Parse(yaml, null));

        // Assert
        var (name, content) = files.ShouldHaveSingleItem();
        name.ShouldBe("10-drover-public.network");
        content.ShouldBe("""
            # Written by drover-agent from the metadata service's network-config (public interface).
            [Match]
            MACAddress=96:00:00:aa:bb:cc

            [Network]
            DHCP=ipv4
            Address=2a01:4f8:1:2::1/64
            Gateway=fe80::1

            """.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Yaml_scalars_keep_their_json_types()
    {
        var json = YamlJson.ToJson(YamlJson.Parse("a: 1\nb: '1'\nc: true\nd: ~\ne: 1.5\nf: 1.2.3.4\ng: \"\"\nh:\n", "test"))!.ToJsonString();

        json.ShouldBe("""{"a":1,"b":"1","c":true,"d":null,"e":1.5,"f":"1.2.3.4","g":"","h":null}""");
    }

    [Fact]
    public void Authorized_keys_merge_keeps_lines_and_skips_keys_already_present()
    {
        var existing = "# comment\nno-pty " + Fixtures.Key1.Replace("user@workstation", "old", StringComparison.Ordinal) + "\n\n";

        var (content, added) = AuthorizedKeys.Merge(existing, [Fixtures.Key1, Fixtures.Key2, Fixtures.Key2, "  "]);

        added.ShouldBe(1);
        content.ShouldBe("# comment\nno-pty " + Fixtures.Key1.Replace("user@workstation", "old", StringComparison.Ordinal) + "\n" + Fixtures.Key2 + "\n");
    }

    [Theory]
    [InlineData(null, "web1", "127.0.0.1\tlocalhost\n127.0.1.1\tweb1\n::1\tlocalhost ip6-localhost ip6-loopback\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n")]
    [InlineData("127.0.0.1 localhost\n", "web1.example.com", "127.0.0.1 localhost\n127.0.1.1\tweb1.example.com web1\n")]
    [InlineData("127.0.0.1 localhost\n::1 x\n127.0.1.1 old\n", "new", "127.0.0.1 localhost\n::1 x\n127.0.1.1\tnew\n")]
    public void Hosts_file_gets_one_line_for_the_hostname(string? existing, string hostname, string expected)
    {
        HostsFile.Update(existing, hostname).ShouldBe(expected);
    }

    [Fact]
    public void Command_line_flags_beat_environment_beat_config_file()
    {
        // Arrange
        using var root = new TempRoot();
        root.Write("/etc/drover/agent.env", "# comment\nDROVER_METADATA_URL=\"http://file.example/v1\"\nDROVER_TIMEOUT=5m\n");
        var env = new Dictionary<string, string?> { ["DROVER_TIMEOUT"] = "30s" };

        // Act
        var fromFile = AgentCommandLine.Parse(["--root", root.Path], env, out var error1);
        var fromFlags = AgentCommandLine.Parse(["--root", root.Path, "--metadata-url=http://127.0.0.1:9/x", "--timeout", "500ms", "--force"], env, out var error2);

        // Assert
        error1.ShouldBeNull();
        error2.ShouldBeNull();
        fromFile!.MetadataUrl.ShouldBe(new Uri("http://file.example/v1/"));
        fromFile.Timeout.ShouldBe(TimeSpan.FromSeconds(30));
        fromFile.Force.ShouldBeFalse();
        fromFile.IsLiveSystem.ShouldBeFalse();
        fromFlags!.MetadataUrl.ShouldBe(new Uri("http://127.0.0.1:9/x/"));
        fromFlags.Timeout.ShouldBe(TimeSpan.FromMilliseconds(500));
        fromFlags.Force.ShouldBeTrue();
        fromFlags.InstanceCheck.ShouldBeFalse();
        AgentCommandLine.Parse(["--root", root.Path, "--instance-check"], env, out _)!.InstanceCheck.ShouldBeTrue();
    }

    [Fact]
    public void Network_directory_comes_from_the_flag_then_environment_then_config_file()
    {
        // Arrange
        using var root = new TempRoot();
        var none = new Dictionary<string, string?>();
        var env = new Dictionary<string, string?> { ["DROVER_NETWORK_DIR"] = "/env/network" };

        // Act
        var byDefault = AgentCommandLine.Parse(["--root", root.Path], none, out var error1);
        root.Write("/etc/drover/agent.env", "DROVER_NETWORK_DIR=/run/systemd/network\n");
        var fromFile = AgentCommandLine.Parse(["--root", root.Path], none, out var error2);
        var fromEnv = AgentCommandLine.Parse(["--root", root.Path], env, out var error3);
        var fromFlag = AgentCommandLine.Parse(["--root", root.Path, "--network-dir", "/flag/network"], env, out var error4);
        var inline = AgentCommandLine.Parse(["--root", root.Path, "--network-dir=/inline"], env, out var error5);

        // Assert
        new[] { error1, error2, error3, error4, error5 }.ShouldAllBe(e => e == null);
        byDefault!.NetworkDirectory.ShouldBe("/etc/systemd/network");
        fromFile!.NetworkDirectory.ShouldBe("/run/systemd/network");
        fromEnv!.NetworkDirectory.ShouldBe("/env/network");
        fromFlag!.NetworkDirectory.ShouldBe("/flag/network");
        inline!.NetworkDirectory.ShouldBe("/inline");
        AgentCommandLine.Usage.ShouldContain("--network-dir DIR");
        AgentCommandLine.Usage.ShouldContain("(env DROVER_NETWORK_DIR, or DROVER_NETWORK_DIR= in /etc/drover/agent.env)");
    }

    [Fact]
    public void Defaults_are_the_hetzner_service_and_two_minutes()
    {
        var options = AgentCommandLine.Parse([], new Dictionary<string, string?>(), out var error)!;

        error.ShouldBeNull();
        options.MetadataUrl.ShouldBe(new Uri("http://169.254.169.254/hetzner/v1/"));
        options.Timeout.ShouldBe(TimeSpan.FromSeconds(120));
        options.IsLiveSystem.ShouldBeTrue();
    }

    [Theory]
    [InlineData(new[] { "--bogus" }, "unknown argument '--bogus'")]
    [InlineData(new[] { "--root" }, "--root needs a value")]
    [InlineData(new[] { "--timeout", "soon" }, "timeout 'soon' is not a duration")]
    [InlineData(new[] { "--metadata-url", "ftp://x/" }, "not an absolute http(s) URL")]
    [InlineData(new[] { "--network-dir" }, "--network-dir needs a value")]
    [InlineData(new[] { "--network-dir", "run/systemd/network" }, "network directory 'run/systemd/network' is not an absolute path")]
    public void Bad_arguments_are_usage_errors(string[] args, string message)
    {
        AgentCommandLine.Parse(args, new Dictionary<string, string?>(), out var error).ShouldBeNull();
        error.ShouldNotBeNull().ShouldContain(message);
    }

    [Fact]
    public async Task Usage_errors_exit_2_and_help_exits_0()
    {
        var output = new StringWriter();
        (await AgentProgram.RunAsync(["--nope"], new Dictionary<string, string?>(), output, TestContext.Current.CancellationToken)).ShouldBe(2);
        (await AgentProgram.RunAsync(["--help"], new Dictionary<string, string?>(), output, TestContext.Current.CancellationToken)).ShouldBe(0);
        output.ToString().ShouldContain("drover-agent [--metadata-url URL] [--root DIR] [--force] [--timeout DURATION] [--network-dir DIR]");
    }
}
