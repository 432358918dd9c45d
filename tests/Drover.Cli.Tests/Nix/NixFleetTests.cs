using System.Text.Json;
using Drover.Images.Build;
using Drover.Images.Nix;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Cli.Tests.Nix;

/// <summary>
/// Drover's flake, modules and the example fleet, evaluated by Nix itself (Debian's Nix 2.8, the nixpkgs of July 2020,
/// offline): instantiation for both architectures, the units Drover means, config.hcloud.* with and without a metadata
/// file, overrides of every mkDefault, and user errors as Drover reports them.
/// </summary>
[MachineTier]
[Collection(NixCollection.Name)]
public sealed class NixFleetTests(NixFleetFixture fixture)
{
    private static readonly string _metadata = """
        {"availability-zone":"fsn1-dc14","hostname":"web1","instance-id":42,"local-ipv4":"",
         "network-config":{"config":[{"mac_address":"96:00:00:2e:61:00","name":"eth0","subnets":[{"ipv4":true,"type":"dhcp"},
           {"address":"2a01:4f8:c17:1234::1/64","dns_nameservers":["2a01:4ff:ff00::add:1"],"gateway":"fe80::1","ipv6":true,"type":"static"}],
           "type":"physical"}],"version":1},
         "public-ipv4":"203.0.113.7","public-keys":["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMetadataKeyMetadataKeyMetadataKeyMetadat0 op@laptop"],
         "region":"eu-central","vendor_data":"",
         "private-networks":[{"ip":"10.0.0.2","alias_ips":[],"interface_num":1,"mac_address":"86:00:00:2e:61:01","network_id":7,
           "network_name":"internal","network":"10.0.0.0/16","subnet":"10.0.0.0/24","gateway":"10.0.0.1"}]}
        """;

    [Fact]
    public async Task The_example_fleet_instantiates_toplevel_and_image_for_x86_64_and_aarch64()
    {
        var workspace = fixture.Require();
        var hosts = await fixture.HostsAsync();
        var images = await fixture.ImagesAsync();

        hosts.GetProperty("web1").GetProperty("system").GetString().ShouldBe("x86_64-linux");
        hosts.GetProperty("web2").GetProperty("system").GetString().ShouldBe("aarch64-linux");
        var derivations = new Dictionary<string, (string Path, string System)>
        {
            ["web1 toplevel"] = (hosts.GetProperty("web1").GetProperty("toplevel").GetString()!, "x86_64-linux"),
            ["web2 toplevel"] = (hosts.GetProperty("web2").GetProperty("toplevel").GetString()!, "aarch64-linux"),
            ["web1 image"] = (images.GetProperty("x86_64-linux").GetProperty("web1-image").GetString()!, "x86_64-linux"),
            ["web2 image"] = (images.GetProperty("aarch64-linux").GetProperty("web2-image").GetString()!, "aarch64-linux"),
        };
        foreach (var (what, (path, system)) in derivations)
        {
            path.ShouldStartWith("/nix/store/", customMessage: what);
            File.Exists(path).ShouldBeTrue($"{what}: {path} was written to the store (instantiated)");
            // The derivation is for the host's own architecture: Nix's own reading of the .drv file.
            var shown = JsonDocument.Parse(await workspace.CheckAsync(workspace.Fleet, ["show-derivation", path], cancellationToken: TestContext.Current.CancellationToken)).RootElement;
            shown.GetProperty(path).GetProperty("system").GetString().ShouldBe(system, what);
        }
        derivations["web1 image"].Path.ShouldEndWith("-hcloud-image.drv");
        // Only the two hosts' images exist, each under its own system.
        images.EnumerateObject().Select(s => s.Name).Order().ShouldBe(["aarch64-linux", "x86_64-linux"]);
    }

    [Fact]
    public async Task The_units_are_what_Drover_means_agent_after_network_online_instance_check_before_sshd()
    {
        fixture.Require();
        var web1 = (await fixture.HostsAsync()).GetProperty("web1");

        var agent = Unit(web1.GetProperty("agentUnit").GetString()!);
        agent["ExecStart"].ShouldHaveSingleItem().ShouldMatch(@"^/nix/store/[0-9a-z]{32}-drover-agent/bin/drover-agent$");
        agent["After"].ShouldHaveSingleItem().Split(' ').ShouldContain("network-online.target");
        agent["Wants"].ShouldHaveSingleItem().Split(' ').ShouldContain("network-online.target");
        agent["Type"].ShouldBe(["oneshot"]);
        agent["X-RestartIfChanged"].ShouldBe(["false"]); // nixos-rebuild switch must not stop the agent mid-converge

        var check = Unit(web1.GetProperty("checkUnit").GetString()!);
        check["ExecStart"].ShouldHaveSingleItem().ShouldMatch(@"^/nix/store/[0-9a-z]{32}-drover-agent/bin/drover-agent --instance-check$");
        check["Before"].ShouldHaveSingleItem().Split(' ').ShouldBe(["sshd.service", "drover-agent.service"], ignoreOrder: true);
        web1.GetProperty("sshdWantedBy").EnumerateArray().Select(e => e.GetString()).ShouldContain("multi-user.target");
        web1.GetProperty("agentEnv").GetString()!.ShouldContain("DROVER_NETWORK_DIR=/run/systemd/network\n");
    }

    [Fact]
    public async Task Without_metadata_the_hcloud_values_are_empty_and_the_disk_layout_follows_the_architecture()
    {
        fixture.Require();
        var hosts = await fixture.HostsAsync();
        var web1 = hosts.GetProperty("web1");
        var hcloud = web1.GetProperty("hcloud");
        foreach (var name in new[] { "hostname", "instanceId", "publicIpv4", "publicIpv6", "region", "availabilityZone", "userdata" })
        {
            hcloud.GetProperty(name).ValueKind.ShouldBe(JsonValueKind.Null, name);
        }
        hcloud.GetProperty("sshKeys").GetArrayLength().ShouldBe(0);
        hcloud.GetProperty("privateNetworks").GetArrayLength().ShouldBe(0);
        web1.GetProperty("hostName").GetString().ShouldBe(""); // the agent sets it at first boot

        // x86: BIOS (this 2020 nixpkgs cannot make a hybrid disk); arm64: UEFI. Root grows at first boot on both.
        hcloud.GetProperty("image").GetProperty("partitionTableType").GetString().ShouldBe("legacy");
        web1.GetProperty("grubDevice").GetString().ShouldBe("/dev/sda");
        web1.GetProperty("efi").GetBoolean().ShouldBeFalse();
        var web2 = hosts.GetProperty("web2");
        web2.GetProperty("hcloud").GetProperty("image").GetProperty("partitionTableType").GetString().ShouldBe("efi");
        web2.GetProperty("grubDevice").GetString().ShouldBe("nodev");
        web2.GetProperty("efi").GetBoolean().ShouldBeTrue();
        foreach (var host in new[] { web1, web2 })
        {
            host.GetProperty("growPartition").GetBoolean().ShouldBeTrue();
            host.GetProperty("rootAutoResize").GetBoolean().ShouldBeTrue();
        }
    }

    [Fact]
    public async Task With_the_metadata_file_an_impure_evaluation_gets_the_servers_values_and_a_configuration_overrides_each_default()
    {
        var workspace = fixture.Require();
        var file = Path.Combine(workspace.Root, "hcloud-metadata.json");
        await File.WriteAllTextAsync(file, _metadata, TestContext.Current.CancellationToken);
        var withFile = new Dictionary<string, string?> { ["HCLOUD_METADATA_FILE"] = file };
        const string Probe = """
            c: {
              hcloud = c.config.hcloud;
              hostName = c.config.networking.hostName;
              rootKeys = c.config.users.users.root.openssh.authorizedKeys.keys;
              networks = builtins.mapAttrs (n: v: { inherit (v) address gateway matchConfig networkConfig; }) c.config.systemd.network.networks;
              rootAutoResize = c.config.fileSystems."/".autoResize;
            }
            """;

        var web1 = await workspace.EvalJsonAsync(workspace.Fleet, "nixosConfigurations.web1", Probe, impure: true, extra: withFile, cancellationToken: TestContext.Current.CancellationToken);
        var hcloud = web1.GetProperty("hcloud");
        hcloud.GetProperty("hostname").GetString().ShouldBe("web1");
        hcloud.GetProperty("instanceId").GetInt64().ShouldBe(42);
        hcloud.GetProperty("publicIpv4").GetString().ShouldBe("203.0.113.7");
        hcloud.GetProperty("publicIpv6").GetString().ShouldBe("2a01:4f8:c17:1234::1/64");
        hcloud.GetProperty("region").GetString().ShouldBe("eu-central");
        hcloud.GetProperty("availabilityZone").GetString().ShouldBe("fsn1-dc14");
        hcloud.GetProperty("privateNetworks")[0].GetProperty("ip").GetString().ShouldBe("10.0.0.2");
        hcloud.GetProperty("privateNetworks")[0].GetProperty("networkId").GetInt64().ShouldBe(7);
        web1.GetProperty("hostName").GetString().ShouldBe("web1");
        web1.GetProperty("rootKeys").EnumerateArray().Select(k => k.GetString()).ShouldBe([hcloud.GetProperty("sshKeys")[0].GetString()]);
        var networks = web1.GetProperty("networks");
        var publicNetwork = networks.GetProperty("10-hcloud-public");
        publicNetwork.GetProperty("address").EnumerateArray().Select(a => a.GetString()).ShouldBe(["2a01:4f8:c17:1234::1/64"]);
        publicNetwork.GetProperty("gateway").EnumerateArray().Select(a => a.GetString()).ShouldBe(["fe80::1"]);
        publicNetwork.GetProperty("matchConfig").GetProperty("MACAddress").GetString().ShouldBe("96:00:00:2e:61:00");
        publicNetwork.GetProperty("networkConfig").GetProperty("DHCP").GetString().ShouldBe("ipv4");
        networks.GetProperty("20-hcloud-private-7").GetProperty("matchConfig").GetProperty("MACAddress").GetString().ShouldBe("86:00:00:2e:61:01");

        // The same metadata under a configuration that sets each value itself: the configuration wins, field by field.
        var overridden = await workspace.EvalJsonAsync(fixture.Probe, "nixosConfigurations.overridden", Probe, impure: true, extra: withFile, cancellationToken: TestContext.Current.CancellationToken);
        overridden.GetProperty("hcloud").GetProperty("hostname").GetString().ShouldBe("web1");
        overridden.GetProperty("hostName").GetString().ShouldBe("custom");
        overridden.GetProperty("rootKeys").EnumerateArray().Select(k => k.GetString()).ShouldBe(
            ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOverriddenKeyOverriddenKeyOverriddenKey0 custom"]);
        var overriddenPublic = overridden.GetProperty("networks").GetProperty("10-hcloud-public");
        overriddenPublic.GetProperty("address").EnumerateArray().Select(a => a.GetString()).ShouldBe(["2001:db8::5/64"]);
        overriddenPublic.GetProperty("gateway").EnumerateArray().Select(a => a.GetString()).ShouldBe(["fe80::1"]); // not overridden: the metadata's
        overridden.GetProperty("rootAutoResize").GetBoolean().ShouldBeFalse();

        // Pure again (no --impure): the file is not read even though the variable names it.
        var pure = await workspace.EvalJsonAsync(workspace.Fleet, "nixosConfigurations.web1.config.hcloud.hostname", extra: withFile, cancellationToken: TestContext.Current.CancellationToken);
        pure.ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task Under_todays_nixpkgs_lib_the_modules_read_the_metadata_lose_to_the_configuration_and_see_a_hybrid_disk()
    {
        var workspace = fixture.Require();
        var file = Path.Combine(workspace.Root, "hcloud-metadata-current-lib.json");
        await File.WriteAllTextAsync(file, _metadata, TestContext.Current.CancellationToken);
        var eval = Path.Combine(NixWorkspace.RepositoryRoot, "tests", "Drover.Cli.Tests", "Nix", "current-lib", "eval.nix");
        string Expression(string overrides) => $$"""
            import {{eval}} {
              lib = import {{NixSnapshot.CurrentLib}}/lib;
              modules = { hcloud = import {{workspace.Drover}}/nix/modules/hcloud.nix; bootstrap = import {{workspace.Drover}}/nix/modules/bootstrap.nix; };
              overrides = {{overrides}};
            }
            """;
        async Task<JsonElement> EvalAsync(string overrides) => JsonDocument.Parse(await workspace.CheckAsync(workspace.Root,
            ["eval", "--impure", "--json", "--expr", Expression(overrides)],
            new Dictionary<string, string?> { ["HCLOUD_METADATA_FILE"] = file }, TestContext.Current.CancellationToken)).RootElement;

        var plain = await EvalAsync("{ }");
        var overridden = await EvalAsync("{ lib, ... }: { networking.hostName = \"custom\"; systemd.network.networks.\"10-hcloud-public\".address = [ \"2001:db8::5/64\" ]; }");
        var noAgent = await EvalAsync("{ lib, ... }: { drover.bootstrap.enable = true; services.drover-agent.enable = lib.mkForce false; }");

        plain.GetProperty("hostname").GetString().ShouldBe("web1");
        plain.GetProperty("hostName").GetString().ShouldBe("web1");
        plain.GetProperty("rootKeys").EnumerateArray().Select(k => k.GetString()!).ToList().ShouldBe(
            plain.GetProperty("sshKeys").EnumerateArray().Select(k => k.GetString()!).ToList());
        plain.GetProperty("public").GetProperty("address")[0].GetString().ShouldBe("2a01:4f8:c17:1234::1/64");
        // A make-disk-image that knows "hybrid" (NixOS 23.05 and later): GPT with BIOS boot and an ESP, GRUB for both.
        plain.GetProperty("partitionTableType").GetString().ShouldBe("hybrid");
        plain.GetProperty("grub").GetProperty("device").GetString().ShouldBe("/dev/sda");
        plain.GetProperty("grub").GetProperty("efiSupport").GetBoolean().ShouldBeTrue();
        plain.GetProperty("boot").GetProperty("device").GetString().ShouldBe("/dev/disk/by-label/ESP");
        plain.GetProperty("failedAssertions").GetArrayLength().ShouldBe(0);
        overridden.GetProperty("hostName").GetString().ShouldBe("custom");
        overridden.GetProperty("public").GetProperty("address")[0].GetString().ShouldBe("2001:db8::5/64");
        overridden.GetProperty("public").GetProperty("gateway")[0].GetString().ShouldBe("fe80::1");
        noAgent.GetProperty("failedAssertions").EnumerateArray().Select(a => a.GetString()).ShouldBe(
            ["drover bootstrap profile: the image needs drover-agent (services.drover-agent.enable) to converge at first boot"]);
    }

    [Fact]
    public async Task A_type_error_in_a_users_module_is_a_Drover_error_quoting_Nix_with_the_file_and_line()
    {
        fixture.Require();

        var e = await Should.ThrowAsync<NixException>(() => BuildAsync("bad-type"));

        e.Step.ShouldBe("evaluate image");
        e.Error.File.ShouldBe(Path.Combine(fixture.Probe, "bad-type.nix"));
        e.Error.Line.ShouldBe(4);
        e.Error.Message.ShouldBe("The option value `services.drover-agent.timeout' in `" + e.Error.Message.Split('`')[2].Split('\'')[0] + "' is not of type `string'.");
        e.Message.ShouldStartWith($"evaluate image: {fixture.Probe}/bad-type.nix:4: evaluating packages.x86_64-linux.\"bad-type-image\".drvPath: The option value `services.drover-agent.timeout'");
    }

    [Fact]
    public async Task A_failed_assertion_is_a_Drover_error_quoting_Nix_with_where_the_assertion_is_written()
    {
        fixture.Require();

        var e = await Should.ThrowAsync<NixException>(() => BuildAsync("bad-assertion"));

        e.Step.ShouldBe("evaluate image");
        e.Error.Message.ShouldBe("Failed assertions:\n- this host needs the server's metadata (evaluate with --impure)");
        e.Error.File.ShouldBe(Path.Combine(fixture.Probe, "bad-assertion.nix"));
        e.Error.Line.ShouldBe(5);
    }

    [Fact]
    public async Task A_host_that_is_not_in_the_flake_is_refused_naming_the_hosts_there_are()
    {
        fixture.Require();

        var e = await Should.ThrowAsync<ImageBuildException>(() => BuildAsync("db1"));

        e.Message.ShouldBe($"evaluate hosts: {fixture.Probe}/flake.nix has no host 'db1' in nixosConfigurations; it has: bad-assertion, bad-type, fake, overridden, plain");
    }

    [Fact]
    public async Task Drover_image_build_on_the_example_gets_as_far_as_Nix_can_offline_and_says_why_it_stopped()
    {
        var workspace = fixture.Require();
        await using var cli = Cli(workspace);
        var agent = Path.Combine(cli.Home, "drover-agent");
        await File.WriteAllTextAsync(agent, "a stand-in for the published agent", TestContext.Current.CancellationToken);
        var output = Path.Combine(cli.Home, "out");

        var result = await cli.RunAsync("image", "build", "--builder", "nix", "--host", "web1", "--flake", workspace.Fleet,
            "--architecture", "x86", "--agent", agent, "--output-dir", output);

        result.ExitCode.ShouldBe(1, result.Stderr);
        // Every step before the build passed: hosts, system, image output, the image's derivation.
        result.Stderr.ShouldContain("==> evaluate hosts");
        result.Stderr.ShouldContain("==> check image output");
        result.Stderr.ShouldMatch(@"==> evaluate image \(/nix/store/[0-9a-z]{32}-web1-hcloud-image\.drv\)|evaluate image: [0-9.]+ s \(/nix/store/[0-9a-z]{32}-nixos-hcloud-image\.drv\)|/nix/store/[0-9a-z]{32}-[a-z0-9-]+-hcloud-image\.drv");
        result.Stderr.ShouldContain("error: nix build: Nix could not build packages.x86_64-linux.\"web1-image\" here: no substituter (binary cache) answered");
        result.Stderr.ShouldMatch(@"the download of \S+ \(Couldn't resolve host name\) failed; the first derivation that failed: /nix/store/[0-9a-z]{32}-[^ ]+\.drv");
        result.Stderr.ShouldMatch(@"The image's derivation is /nix/store/[0-9a-z]{32}-[a-z0-9-]+-hcloud-image\.drv");
        Directory.Exists(output).ShouldBeTrue();
        Directory.EnumerateFileSystemEntries(output).ShouldBeEmpty(); // nothing half-made: no image, no manifest, no agent directory
    }

    [Fact]
    public async Task Drover_image_build_with_arm_asked_for_an_x86_host_is_refused_before_Nix_builds()
    {
        var workspace = fixture.Require();
        await using var cli = Cli(workspace);

        var result = await cli.RunAsync("image", "build", "--builder", "nix", "--host", "web1", "--flake", workspace.Fleet, "--architecture", "arm",
            "--output-dir", Path.Combine(cli.Home, "out"));

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldContain("error: evaluate hosts: host 'web1' is built for x86_64-linux (x86), but aarch64-linux (arm) was asked for");
    }

    [Fact]
    public async Task With_a_store_path_that_holds_an_image_the_build_writes_the_manifest_and_scans_it_as_for_a_real_build()
    {
        var workspace = fixture.Require();
        foreach (var tool in new[] { "/usr/sbin/mkfs.ext4", "/usr/sbin/sfdisk" })
        {
            if (!File.Exists(tool))
            {
                Assert.Skip($"needs {tool} (e2fsprogs, fdisk)");
            }
        }
        await MakeDiskAsync(Path.Combine(fixture.Probe, "disk.raw"));
        await using var cli = Cli(workspace);
        var output = Path.Combine(cli.Home, "out");

        var result = await cli.RunAsync("image", "build", "--builder", "nix", "--host", "fake", "--flake", fixture.Probe, "--output-dir", output, "-o", "json");

        result.ExitCode.ShouldBe(0, result.Stderr);
        var manifest = Drover.Images.Build.ImageManifest.Read(Path.Combine(output, "fake.manifest.json"));
        manifest.Builder.ShouldBe("nix");
        manifest.Architecture.ShouldBe("x86");
        manifest.Path.ShouldBe(Path.Combine(output, "fake.img"));
        manifest.Labels.ShouldBe(new Dictionary<string, string> { ["os"] = "nixos", ["arch"] = "x86" }, ignoreOrder: true);
        manifest.Scan.Scanned.ShouldBeTrue(manifest.Scan.Reason);
        manifest.Scan.Findings.ShouldBeEmpty();
        var bytes = await File.ReadAllBytesAsync(manifest.Path!, TestContext.Current.CancellationToken);
        manifest.Sha256.ShouldBe(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
        bytes.ShouldBe(await File.ReadAllBytesAsync(Path.Combine(fixture.Probe, "disk.raw"), TestContext.Current.CancellationToken));
        JsonDocument.Parse(result.Stdout).RootElement.GetProperty("sha256").GetString().ShouldBe(manifest.Sha256);
    }

    /// <summary>An MBR disk with one ext4 partition holding an ordinary /etc (what the scanner reads).</summary>
    private static async Task MakeDiskAsync(string disk)
    {
        var work = Directory.CreateTempSubdirectory("drover-nix-disk-");
        try
        {
            var tree = Directory.CreateDirectory(Path.Combine(work.FullName, "tree", "etc")).FullName;
            await File.WriteAllTextAsync(Path.Combine(tree, "hostname"), "fake\n", TestContext.Current.CancellationToken);
            var fs = Path.Combine(work.FullName, "fs.img");
            await Run("/usr/sbin/mkfs.ext4", "-q", "-F", "-L", "nixos", "-d", Path.Combine(work.FullName, "tree"), fs, "16M");
            await using (var d = File.Create(disk))
            {
                d.SetLength(18 << 20);
            }
            await Run("/bin/sh", "-c", $"echo 'label: dos\nstart=2048, size=32768, type=83, bootable' | /usr/sbin/sfdisk -q '{disk}'");
            await Run("dd", $"if={fs}", $"of={disk}", "bs=1M", "seek=1", "conv=notrunc,sparse", "status=none");
        }
        finally
        {
            work.Delete(recursive: true);
        }

        static async Task Run(string file, params string[] args)
        {
            var result = await Drover.Core.Processes.ProcessRunner.RunAsync(file, args, cancellationToken: TestContext.Current.CancellationToken);
            result.Ok.ShouldBeTrue($"{result.Command}: {result.Stderr}");
        }
    }

    /// <summary>The CLI in process, with the workspace's Nix settings (no substituter, experimental features).</summary>
    private static CliRunner Cli(NixWorkspace workspace)
    {
        var cli = new CliRunner();
        cli.Environment["NIX_CONFIG"] = workspace.Environment["NIX_CONFIG"];
        return cli;
    }

    private Task<BuildResult> BuildAsync(string host) => new NixBuilder().BuildAsync(new NixBuildOptions
    {
        Host = host,
        FlakeDirectory = fixture.Probe,
        OutputDirectory = Path.Combine(fixture.Workspace!.Root, "out-" + host),
        Environment = fixture.Workspace.Environment,
    }, cancellationToken: TestContext.Current.CancellationToken);

    /// <summary>A unit file's keys and their values (a key may repeat).</summary>
    private static Dictionary<string, List<string>> Unit(string text)
    {
        var keys = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && !line.StartsWith('['))
            {
                var key = line[..eq];
                if (!keys.TryGetValue(key, out var values))
                {
                    keys[key] = values = [];
                }
                values.Add(line[(eq + 1)..]);
            }
        }
        return keys;
    }
}
