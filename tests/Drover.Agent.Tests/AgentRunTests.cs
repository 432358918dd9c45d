using System.Text;
using System.Text.Json;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Agent.Tests;

public sealed class AgentRunTests
{
    private const UnixFileMode Mode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Mode0644 = Mode0600 | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode Mode0700 = Mode0600 | UnixFileMode.UserExecute;

    [Fact]
    public async Task First_boot_writes_every_file_and_converges_once()
    {
        // Arrange
        await using var server = (await FakeMetadataServer.StartAsync()).WithDefaults(Fixtures.DroverUserData);
        using var root = new TempRoot();
        root.Write("/root/.ssh/authorized_keys", "# kept\n" + Fixtures.Key1.Replace("user@workstation", "other-comment", StringComparison.Ordinal) + "\n");
        root.Write("/etc/hosts", "127.0.0.1\tlocalhost\n127.0.1.1\timage-builder\n::1\tlocalhost ip6-localhost\n");
        root.Write("/dev/ttyS1", "");
        // The agent's clock moves only while the metadata service answers: a second per answer.
        var time = new ManualTimeProvider();
        server.OnRequest = _ => time.Advance(TimeSpan.FromSeconds(1));

        // Act
        var (exitCode, output) = await AgentHarness.RunAsync(root, server.BaseUrl, configure: o => o with { Time = time });

        // Assert
        exitCode.ShouldBe(0);
        var metadata = JsonDocument.Parse(root.Read("/etc/hcloud-metadata.json")).RootElement;
        metadata.GetProperty("hostname").GetString().ShouldBe("web1");
        metadata.GetProperty("instance-id").GetInt64().ShouldBe(42);
        metadata.GetProperty("local-ipv4").GetString().ShouldBe("");
        metadata.GetProperty("public-keys").GetArrayLength().ShouldBe(2);
        metadata.GetProperty("network-config").GetProperty("version").GetInt32().ShouldBe(1);
        metadata.GetProperty("network-config").GetProperty("config")[0].GetProperty("subnets")[1].GetProperty("ipv6").GetBoolean().ShouldBeTrue();
        metadata.GetProperty("private-networks")[0].GetProperty("ip").GetString().ShouldBe("10.0.0.2");
        metadata.GetProperty("private-networks")[0].GetProperty("network_id").GetInt64().ShouldBe(1234);
        root.Mode("/etc/hcloud-metadata.json").ShouldBe(Mode0600);

        File.ReadAllBytes(root["/etc/hcloud-userdata"]).ShouldBe(Encoding.UTF8.GetBytes(Fixtures.DroverUserData));
        root.Mode("/etc/hcloud-userdata").ShouldBe(Mode0600);

        root.Read("/etc/hostname").ShouldBe("web1\n");
        root.Read("/etc/hosts").ShouldBe("127.0.0.1\tlocalhost\n127.0.1.1\tweb1\n::1\tlocalhost ip6-localhost\n");
        output.ShouldContain("would call sethostname(web1)");

        root.Mode("/root/.ssh").ShouldBe(Mode0700);
        root.Mode("/root/.ssh/authorized_keys").ShouldBe(Mode0600);
        var keys = root.Read("/root/.ssh/authorized_keys").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        keys.ShouldBe(["# kept", Fixtures.Key1.Replace("user@workstation", "other-comment", StringComparison.Ordinal), Fixtures.Key2]);

        var publicNetwork = root.Read("/etc/systemd/network/10-drover-public.network");
        publicNetwork.ShouldContain($"[Match]\nMACAddress={Fixtures.PublicMac}\n");
        publicNetwork.ShouldContain("DHCP=ipv4\nAddress=2a01:4f8:c012:abcd::1/64\nGateway=fe80::1\n");
        publicNetwork.ShouldContain("DNS=185.12.64.1\nDNS=185.12.64.2\nDNS=2a01:4ff:ff00::add:2\n");
        root.Read("/etc/systemd/network/20-drover-private-1234.network").ShouldContain($"MACAddress={Fixtures.PrivateMac1}\n\n[Network]\nDHCP=ipv4\n");
        root.Read("/etc/systemd/network/20-drover-private-5678.network").ShouldContain($"MACAddress={Fixtures.PrivateMac2}\n");
        root.Mode("/etc/systemd/network/10-drover-public.network").ShouldBe(Mode0644);
        output.ShouldContain("would run networkctl reload");

        root.Read("/etc/nix-flake-target").ShouldBe("github:example/infra\n");
        root.Read("/converge.log").ShouldBe("converge for web1 42 github:example/infra\n");
        output.ShouldContain("drover-agent: converge| converging");
        output.ShouldContain("drover-agent: converge| to-stderr");

        File.Exists(root["/var/lib/drover/agent.done"]).ShouldBeTrue();
        var status = JsonDocument.Parse(root.Read("/var/lib/drover/status.json")).RootElement;
        status.GetProperty("status").GetString().ShouldBe("ok");
        status.GetProperty("hostname").GetString().ShouldBe("web1");
        status.GetProperty("instance_id").GetString().ShouldBe("42");
        status.GetProperty("error").ValueKind.ShouldBe(JsonValueKind.Null);
        // Three answers (metadata, private networks, user-data) of a second each on the agent's clock, the converge none.
        status.GetProperty("agent_seconds").GetDouble().ShouldBe(3);
        (status.GetProperty("finished").GetDateTimeOffset() - status.GetProperty("started").GetDateTimeOffset()).ShouldBe(TimeSpan.FromSeconds(3));
        status.GetProperty("converge").GetProperty("seconds").GetDouble().ShouldBe(0);
        status.GetProperty("converge").GetProperty("exit_code").GetInt32().ShouldBe(0);
        status.GetProperty("converge").GetProperty("command").GetString()!.ShouldStartWith("echo \"converge for");
        var steps = status.GetProperty("steps").EnumerateArray().ToList();
        steps.Select(s => s.GetProperty("name").GetString()).ShouldBe([
            "select-source", "fetch-metadata", "fetch-private-networks", "fetch-userdata", "parse-metadata", "write-metadata", "write-userdata",
            "hostname", "authorized-keys", "network", "flake-target", "converge"]);
        steps.ShouldAllBe(s => s.GetProperty("ok").GetBoolean());
        steps.Where(s => s.GetProperty("seconds").GetDouble() != 0).Select(s => (s.GetProperty("name").GetString(), s.GetProperty("seconds").GetDouble()))
            .ShouldBe([("select-source", 1), ("fetch-private-networks", 1), ("fetch-userdata", 1)]);

        var serial = output.Split('\n').Single(l => l.StartsWith("DROVER-AGENT ", StringComparison.Ordinal));
        serial.ShouldBe("DROVER-AGENT status=ok hostname=web1 instance-id=42 agent_ms=3000 converge_ms=0 source=hetzner-metadata");
        root.Read("/dev/ttyS1").ShouldBe(serial + "\n");
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            line.ShouldSatisfyAllConditions(() => (line.StartsWith("drover-agent: ", StringComparison.Ordinal) || line.StartsWith("DROVER-AGENT ", StringComparison.Ordinal)).ShouldBeTrue(line));
        }
    }

    [Fact]
    public async Task Without_a_second_serial_port_the_final_line_goes_to_the_virtio_markers_port_as_on_arm()
    {
        // Arrange: an arm guest of the local cloud (one PL011, no /dev/ttyS1) with the virtio-serial port it is given.
        await using var server = (await FakeMetadataServer.StartAsync()).WithDefaults(Fixtures.DroverUserData);
        using var root = new TempRoot();
        root.Write("/dev/virtio-ports/org.drover.markers", "");

        // Act
        var (exitCode, output) = await AgentHarness.RunAsync(root, server.BaseUrl);

        // Assert
        exitCode.ShouldBe(0, output);
        var serial = output.Split('\n').Single(l => l.StartsWith("DROVER-AGENT ", StringComparison.Ordinal));
        serial.ShouldStartWith("DROVER-AGENT status=ok hostname=web1");
        root.Read("/dev/virtio-ports/org.drover.markers").ShouldBe(serial + "\n");
        File.Exists(root["/dev/ttyS1"]).ShouldBeFalse();
    }

    [Fact]
    public async Task Later_boots_change_nothing_and_force_runs_again()
    {
        // Arrange
        await using var server = (await FakeMetadataServer.StartAsync()).WithDefaults(Fixtures.DroverUserData);
        using var root = new TempRoot();
        (await AgentHarness.RunAsync(root, server.BaseUrl)).ExitCode.ShouldBe(0);
        var requests = server.Requests.Count;
        var status = root.Read("/var/lib/drover/status.json");

        // Act
        var (second, output) = await AgentHarness.RunAsync(root, server.BaseUrl);

        // Assert
        second.ShouldBe(0);
        output.ShouldContain("nothing to do");
        server.Requests.Count.ShouldBe(requests);
        root.Read("/converge.log").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(1);
        root.Read("/var/lib/drover/status.json").ShouldBe(status);

        // Act (forced)
        var (forced, _) = await AgentHarness.RunAsync(root, server.BaseUrl, force: true);

        // Assert
        forced.ShouldBe(0);
        root.Read("/converge.log").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(2);
        root.Read("/root/.ssh/authorized_keys").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(2);
    }

    [Fact]
    public async Task A_later_boot_of_the_same_instance_makes_no_request_even_with_the_serial_present()
    {
        // Arrange
        await using var server = (await FakeMetadataServer.StartAsync()).WithDefaults(Fixtures.DroverUserData);
        using var root = new TempRoot();
        root.Write("/sys/class/dmi/id/product_serial", "42\n");
        (await AgentHarness.RunAsync(root, server.BaseUrl)).ExitCode.ShouldBe(0);
        var requests = server.Requests.Count;

        // Act
        var (second, output) = await AgentHarness.RunAsync(root, server.BaseUrl);

        // Assert
        second.ShouldBe(0);
        output.ShouldContain("exists for this instance");
        server.Requests.Count.ShouldBe(requests);
        root.Read("/converge.log").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(1);
    }

    [Fact]
    public async Task A_server_made_from_a_snapshot_of_a_converged_one_runs_again_with_new_host_keys()
    {
        // Arrange: a converged server (instance 42) whose disk carries its marker and host keys.
        await using var server = (await FakeMetadataServer.StartAsync()).WithDefaults(Fixtures.DroverUserData);
        using var root = new TempRoot();
        root.Write("/sys/class/dmi/id/product_serial", "42\n");
        (await AgentHarness.RunAsync(root, server.BaseUrl)).ExitCode.ShouldBe(0);
        root.Write("/etc/ssh/ssh_host_ed25519_key", "old private key of instance 42\n");
        root.Write("/etc/ssh/ssh_host_ed25519_key.pub", "ssh-ed25519 AAAAold\n");
        root.Write("/etc/ssh/ssh_host_rsa_key", "old rsa key\n");
        root.Write("/etc/ssh/sshd_config", "# kept\n");
        // The clone: server 77, named web7, from that snapshot.
        server.Documents["metadata"] = System.Text.Encoding.UTF8.GetBytes(Fixtures.Metadata.Replace("hostname: web1", "hostname: web7", StringComparison.Ordinal).Replace("instance-id: 42", "instance-id: 77", StringComparison.Ordinal));
        root.Write("/sys/class/dmi/id/product_serial", "77\n");

        // Act
        var (exitCode, output) = await AgentHarness.RunAsync(root, server.BaseUrl);

        // Assert
        exitCode.ShouldBe(0, output);
        output.ShouldContain("is from instance 42, this is 77");
        root.Read("/etc/hostname").ShouldBe("web7\n");
        root.Read("/var/lib/drover/agent.done").ShouldStartWith("instance-id=77 ");
        root.Read("/converge.log").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(2, "the clone converges as itself");
        File.Exists(root["/etc/ssh/ssh_host_rsa_key"]).ShouldBeFalse("the old server's host keys must not be shared");
        root.Read("/etc/ssh/ssh_host_ed25519_key").ShouldContain("BEGIN OPENSSH PRIVATE KEY");
        root.Read("/etc/ssh/ssh_host_ed25519_key.pub").ShouldStartWith("ssh-ed25519 ");
        root.Read("/etc/ssh/ssh_host_ed25519_key.pub").ShouldNotContain("AAAAold");
        root.Read("/etc/ssh/sshd_config").ShouldBe("# kept\n");
        Directory.GetFiles(root["/etc/ssh"], "*drover-new*").ShouldBeEmpty();
        var steps = JsonDocument.Parse(root.Read("/var/lib/drover/status.json")).RootElement.GetProperty("steps").EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToList();
        steps.ShouldContain("ssh-host-keys");
    }

    [Fact]
    public async Task The_early_instance_check_removes_another_servers_marker_and_host_keys_and_keeps_its_own()
    {
        // Arrange
        using var root = new TempRoot();
        root.Write("/var/lib/drover/agent.done", "instance-id=42 finished=2026-11-22T06:00:00.0000000+00:00\n");
        root.Write("/etc/ssh/ssh_host_ed25519_key", "old\n");
        root.Write("/etc/ssh/ssh_host_ed25519_key.pub", "old\n");
        root.Write("/etc/ssh/sshd_config", "# kept\n");
        root.Write("/sys/class/dmi/id/product_serial", "42\n");
        using var same = new StringWriter();

        // Act: the same instance
        var sameExit = await AgentProgram.RunAsync(["--instance-check", "--root", root.Path, "--metadata-url", "http://127.0.0.1:9/"], same, TestContext.Current.CancellationToken);

        // Assert
        sameExit.ShouldBe(0);
        same.ToString().ShouldContain("the marker is this instance's");
        File.Exists(root["/var/lib/drover/agent.done"]).ShouldBeTrue();
        File.Exists(root["/etc/ssh/ssh_host_ed25519_key"]).ShouldBeTrue();

        // Act: a server made from the snapshot
        root.Write("/sys/class/dmi/id/product_serial", "77\n");
        using var other = new StringWriter();
        var otherExit = await AgentProgram.RunAsync(["--instance-check", "--root", root.Path, "--metadata-url", "http://127.0.0.1:9/"], other, TestContext.Current.CancellationToken);

        // Assert
        otherExit.ShouldBe(0);
        other.ToString().ShouldContain("is from instance 42, this is 77");
        File.Exists(root["/var/lib/drover/agent.done"]).ShouldBeFalse();
        Directory.GetFiles(root["/etc/ssh"], "ssh_host_*").ShouldBeEmpty();
        root.Read("/etc/ssh/sshd_config").ShouldBe("# kept\n");
    }

    [Theory]
    [InlineData("instance-id=42 finished=2026-11-22T06:00:00.0000000+00:00\n", "42")]
    [InlineData("instance-id= finished=x\n", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void The_marker_names_its_instance(string? marker, string? instance)
        => AgentRunner.MarkerInstanceId(marker).ShouldBe(instance);

    [Fact]
    public async Task No_userdata_204_means_no_flake_and_no_converge()
    {
        // Arrange
        await using var server = (await FakeMetadataServer.StartAsync()).WithDefaults(userData: null);
        using var root = new TempRoot();

        // Act
        var (exitCode, output) = await AgentHarness.RunAsync(root, server.BaseUrl);

        // Assert
        exitCode.ShouldBe(0);
        server.Requests.ShouldContain("/hetzner/v1/userdata");
        File.ReadAllBytes(root["/etc/hcloud-userdata"]).ShouldBeEmpty();
        root.Mode("/etc/hcloud-userdata").ShouldBe(Mode0600);
        File.Exists(root["/etc/nix-flake-target"]).ShouldBeFalse();
        var status = JsonDocument.Parse(root.Read("/var/lib/drover/status.json")).RootElement;
        status.GetProperty("converge").ValueKind.ShouldBe(JsonValueKind.Null);
        output.ShouldContain("DROVER-AGENT status=ok hostname=web1 instance-id=42 agent_ms=");
        output.ShouldContain("converge_ms=0");
    }

    [Fact]
    public async Task Failing_metadata_service_is_retried_with_backoff()
    {
        // Arrange
        await using var server = (await FakeMetadataServer.StartAsync()).WithDefaults(userData: null);
        server.FailFirst = 3;
        using var root = new TempRoot();

        // Act
        var (exitCode, output) = await AgentHarness.RunAsync(root, server.BaseUrl);

        // Assert
        exitCode.ShouldBe(0);
        server.Requests.Take(4).ShouldAllBe(p => p == "/hetzner/v1/metadata");
        output.ShouldContain("drover-agent: fetch-metadata ");
        output.ShouldContain("4 attempts");
        File.Exists(root["/var/lib/drover/agent.done"]).ShouldBeTrue();
    }

    [Fact]
    public async Task Metadata_service_that_never_answers_ends_in_error_without_marker()
    {
        // Arrange: the agent's own timeout and backoff, on a clock that moves only when the agent waits.
        await using var server = (await FakeMetadataServer.StartAsync()).WithDefaults(Fixtures.DroverUserData);
        server.FailAlways = true;
        using var root = new TempRoot();
        var defaults = new AgentOptions();
        var time = new ManualTimeProvider();

        // Act
        var (exitCode, output) = await AgentHarness.RunAsync(root, server.BaseUrl, configure: o => o with
        {
            Time = time,
            Timeout = defaults.Timeout,
            InitialRetryDelay = defaults.InitialRetryDelay,
            MaxRetryDelay = defaults.MaxRetryDelay,
        });

        // Assert: it backed off, doubling up to the maximum, and gave up exactly at its deadline (120 s).
        exitCode.ShouldBe(1);
        var second = TimeSpan.FromSeconds(1);
        time.Delays.Take(6).ShouldBe([second / 4, second / 2, second, 2 * second, 4 * second, defaults.MaxRetryDelay]);
        time.Delays.Skip(5).SkipLast(1).ShouldAllBe(d => d == defaults.MaxRetryDelay);
        time.TotalDelayed.ShouldBe(defaults.Timeout);
        var attempts = time.Delays.Count + 1;
        server.Requests.ShouldAllBe(p => p == "/hetzner/v1/metadata");
        server.Requests.Count.ShouldBeInRange(1, attempts);
        File.Exists(root["/var/lib/drover/agent.done"]).ShouldBeFalse();
        File.Exists(root["/etc/hcloud-metadata.json"]).ShouldBeFalse();
        var status = JsonDocument.Parse(root.Read("/var/lib/drover/status.json")).RootElement;
        status.GetProperty("status").GetString().ShouldBe("error");
        // The last attempt's own error depends on timing (a 503, or cut short by the deadline): only its presence counts.
        status.GetProperty("error").GetString()!.ShouldStartWith($"{server.BaseUrl}metadata did not answer within 120s ({attempts} attempts, last: ");
        status.GetProperty("agent_seconds").GetDouble().ShouldBe(120);
        status.GetProperty("hostname").ValueKind.ShouldBe(JsonValueKind.Null);
        var step = status.GetProperty("steps").EnumerateArray().Single();
        step.GetProperty("name").GetString().ShouldBe("select-source");
        status.GetProperty("source").ValueKind.ShouldBe(JsonValueKind.Null);
        status.GetProperty("error").GetString()!.ShouldEndWith(" and no NoCloud drive (label cidata) was found");
        step.GetProperty("ok").GetBoolean().ShouldBeFalse();
        output.ShouldContain("DROVER-AGENT status=error hostname=- instance-id=- agent_ms=120000 converge_ms=0 source=- error=\"http://127.0.0.1:");
    }

    [Fact]
    public async Task Failing_converge_command_is_an_error_and_the_next_boot_retries()
    {
        // Arrange
        const string userData = "#cloud-config\ndrover:\n  converge: echo attempt >> \"$DROVER_ROOT/attempts\"; exit 3\n";
        await using var server = (await FakeMetadataServer.StartAsync()).WithDefaults(userData);
        using var root = new TempRoot();

        // Act
        var (first, output) = await AgentHarness.RunAsync(root, server.BaseUrl);
        var (second, _) = await AgentHarness.RunAsync(root, server.BaseUrl);

        // Assert
        first.ShouldBe(1);
        second.ShouldBe(1);
        root.Read("/attempts").ShouldBe("attempt\nattempt\n");
        File.Exists(root["/var/lib/drover/agent.done"]).ShouldBeFalse();
        File.Exists(root["/etc/nix-flake-target"]).ShouldBeFalse();
        var status = JsonDocument.Parse(root.Read("/var/lib/drover/status.json")).RootElement;
        status.GetProperty("status").GetString().ShouldBe("error");
        status.GetProperty("converge").GetProperty("exit_code").GetInt32().ShouldBe(3);
        status.GetProperty("error").GetString().ShouldBe("the converge command exited with 3");
        output.ShouldContain("DROVER-AGENT status=error hostname=web1 instance-id=42");
    }

    [Fact]
    public async Task Write_files_flake_target_is_written_and_the_converge_command_defaults_to_nixos_rebuild()
    {
        // Arrange: there is no nixos-rebuild here, so the run fails at converge; the flake and command are what count.
        const string userData = "#cloud-config\nwrite_files:\n- path: /etc/nix-flake-target\n  content: |\n    github:example/infra?ref=main\n";
        await using var server = (await FakeMetadataServer.StartAsync()).WithDefaults(userData);
        using var root = new TempRoot();

        // Act
        var (exitCode, output) = await AgentHarness.RunAsync(root, server.BaseUrl);

        // Assert (exit code 1: no nixos-rebuild on this machine; the command and flake are what matter)
        root.Read("/etc/nix-flake-target").ShouldBe("github:example/infra?ref=main\n");
        var status = JsonDocument.Parse(root.Read("/var/lib/drover/status.json")).RootElement;
        status.GetProperty("converge").GetProperty("command").GetString().ShouldBe("nixos-rebuild switch --flake 'github:example/infra?ref=main#web1'");
        exitCode.ShouldBe(1);
        output.ShouldContain("drover-agent: converge running /bin/sh -c nixos-rebuild switch --flake 'github:example/infra?ref=main#web1'");
    }

    [Fact]
    public async Task NixOS_settings_put_the_units_in_the_network_directory_and_converge_impurely()
    {
        // Arrange: what the NixOS module writes to agent.env, and user-data asking for an impure evaluation.
        const string userData = "#cloud-config\ndrover:\n  flake: github:example/infra\n  impure: true\n";
        await using var server = (await FakeMetadataServer.StartAsync()).WithDefaults(userData);
        using var root = new TempRoot();
        root.Write("/etc/drover/agent.env", "DROVER_NETWORK_DIR=/run/systemd/network\n");
        var options = AgentCommandLine.Parse(["--root", root.Path], new Dictionary<string, string?>(), out var error)!;
        error.ShouldBeNull();

        // Act (exit code 1: no nixos-rebuild on this machine; the files and the command are what count)
        var (exitCode, output) = await AgentHarness.RunAsync(root, server.BaseUrl, configure: o => o with { NetworkDirectory = options.NetworkDirectory });

        // Assert
        exitCode.ShouldBe(1);
        root.Read("/run/systemd/network/10-drover-public.network").ShouldContain($"MACAddress={Fixtures.PublicMac}\n");
        File.Exists(root["/run/systemd/network/20-drover-private-1234.network"]).ShouldBeTrue();
        Directory.Exists(root["/etc/systemd/network"]).ShouldBeFalse();
        output.ShouldContain("drover-agent: network 10-drover-public.network, 20-drover-private-1234.network, 20-drover-private-5678.network in /run/systemd/network;");
        output.ShouldContain("drover-agent: flake-target /etc/nix-flake-target = github:example/infra (impure evaluation)");
        var status = JsonDocument.Parse(root.Read("/var/lib/drover/status.json")).RootElement;
        status.GetProperty("converge").GetProperty("command").GetString().ShouldBe("nixos-rebuild switch --flake 'github:example/infra#web1' --impure");
    }
}
