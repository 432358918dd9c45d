using System.Security.Cryptography;
using System.Text;
using Drover.Core.Processes;
using Drover.LocalCloud.Proxmox;
using Shouldly;
using Xunit;

namespace Drover.LocalCloud.Tests.Proxmox;

/// <summary>The cloud-init drive's files, byte for byte as qemu-server's Cloudinit.pm generates them, and the drive itself.</summary>
public sealed class PveCloudInitTests
{
    private const string KeyA = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ2kYxFtMqHhf7q6G9vY5FvB3r8c4o2Zx9kq1Yf0nT8D a@host";
    private const string KeyB = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 b@host";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>sshkeys as bpg sends them: url.QueryEscape of the joined keys with '+' as %20.</summary>
    private static string Encoded(params string[] keys) => Uri.EscapeDataString(string.Join('\n', keys));

    private static PveVmConfig Config(params (string Key, string Value)[] values)
    {
        var config = new PveVmConfig();
        foreach (var (key, value) in values)
        {
            config[key] = value;
        }
        return config;
    }

    [Fact]
    public void User_data_for_root_with_keys_follows_Cloudinit_pms_order()
    {
        // Arrange
        var config = Config(("name", "web1"), ("searchdomain", "example.com"), ("ciuser", "root"), ("cipassword", "hash"), ("sshkeys", Encoded(KeyA, KeyB)));

        // Act
        var user = PveCloudInit.UserData(config, 100);
        var masked = PveCloudInit.UserData(config, 100, maskPassword: true);

        // Assert
        user.ShouldBe($"""
            #cloud-config
            hostname: web1
            manage_etc_hosts: true
            fqdn: web1.example.com
            user: root
            disable_root: False
            password: hash
            ssh_authorized_keys:
              - {KeyA}
              - {KeyB}
            chpasswd:
              expire: False
            package_upgrade: true

            """.ReplaceLineEndings("\n"));
        masked.ShouldContain("password: **********\n");
    }

    [Fact]
    public void User_data_without_a_user_keeps_the_default_user_and_ciupgrade_0_drops_the_upgrade()
    {
        // Arrange
        var config = Config(("name", "db.example.org"), ("ciupgrade", "0"));

        // Act
        var user = PveCloudInit.UserData(config, 7);
        var unnamed = PveCloudInit.UserData(new PveVmConfig(), 7);

        // Assert
        user.ShouldBe("#cloud-config\nhostname: db\nmanage_etc_hosts: true\nfqdn: db.example.org\nchpasswd:\n  expire: False\nusers:\n  - default\n");
        unnamed.ShouldStartWith("#cloud-config\nhostname: VM7\nmanage_etc_hosts: true\nfqdn: VM7\n");
    }

    [Fact]
    public void Network_config_v1_has_static_and_dhcp_interfaces_with_lowercase_MACs_then_the_nameserver_entry()
    {
        // Arrange
        var config = Config(
            ("net0", "virtio=BC:24:11:AA:BB:CC,bridge=vmbr0"),
            ("net1", "virtio,bridge=vmbr0,macaddr=BC:24:11:DD:EE:FF"),
            ("net2", "virtio=BC:24:11:00:00:02,bridge=vmbr0"),
            ("ipconfig0", "ip=10.0.0.5/24,gw=10.0.0.1"),
            ("ipconfig1", "ip=dhcp,ip6=auto"),
            ("nameserver", "1.1.1.1 8.8.8.8"),
            ("searchdomain", "example.com"));
        var generator = new PveCloudInit(["198.19.254.3"], []);

        // Act
        var network = generator.NetworkConfig(config);

        // Assert
        network.ShouldBe("""
            version: 1
            config:
                - type: physical
                  name: eth0
                  mac_address: 'bc:24:11:aa:bb:cc'
                  subnets:
                  - type: static
                    address: '10.0.0.5'
                    netmask: '255.255.255.0'
                    gateway: '10.0.0.1'
                - type: physical
                  name: eth1
                  mac_address: 'bc:24:11:dd:ee:ff'
                  subnets:
                  - type: dhcp4
                  - type: ipv6_slaac
                - type: nameserver
                  address:
                  - '1.1.1.1'
                  - '8.8.8.8'
                  search:
                  - 'example.com'

            """.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Without_nameserver_the_nodes_resolver_is_used_and_meta_data_is_sha1_of_user_and_network()
    {
        // Arrange
        var config = Config(("net0", "virtio=BC:24:11:AA:BB:CC"), ("ipconfig0", "ip=dhcp"));
        var generator = new PveCloudInit(["198.19.254.3"], []);

        // Act
        var files = generator.Files(config, 100, _ => throw new InvalidOperationException("no snippets here"));

        // Assert
        files["network-config"].ShouldEndWith("    - type: nameserver\n      address:\n      - '198.19.254.3'\n");
#pragma warning disable CA5350 // the instance-id is SHA-1 by Proxmox's definition
        var expected = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(files["user-data"] + files["network-config"])));
#pragma warning restore CA5350
        files["meta-data"].ShouldBe($"instance-id: {expected}\n");
        files["vendor-data"].ShouldBe("");
    }

    [Fact]
    public void A_NIC_with_an_ipconfig_but_no_MAC_fails_as_in_PVE()
    {
        // Arrange
        var config = Config(("net0", "virtio,bridge=vmbr0"), ("ipconfig0", "ip=dhcp"));

        // Act
        var error = Should.Throw<PveException>(() => new PveCloudInit([], []).NetworkConfig(config));

        // Assert
        error.Message.ShouldBe("network interface 'net0' has no mac address");
    }

    [Fact]
    public async Task The_dump_endpoint_returns_the_generated_texts_with_the_password_masked()
    {
        // Arrange
        await using var pve = await PveHarness.StartAsync();
        await pve.CreateVmAsync(100, Ct);
        await pve.PutAsync("nodes/drover/qemu/100/config", new Dictionary<string, string>
        {
            ["ciuser"] = "admin",
            ["cipassword"] = "s3cret",
            ["sshkeys"] = Encoded(KeyA),
            ["ipconfig0"] = "ip=198.19.254.20/24,gw=198.19.254.1",
        }, Ct);
        var config = pve.Pve.State.Vm(100).Config;

        // Act
        var user = (await pve.GetAsync("nodes/drover/qemu/100/cloudinit/dump?type=user", Ct)).Data.GetString()!;
        var network = (await pve.GetAsync("nodes/drover/qemu/100/cloudinit/dump?type=network", Ct)).Data.GetString()!;
        var meta = (await pve.GetAsync("nodes/drover/qemu/100/cloudinit/dump?type=meta", Ct)).Data.GetString();
        var badType = await pve.GetAsync("nodes/drover/qemu/100/cloudinit/dump?type=vendor", Ct);
        var listed = (await pve.GetAsync("nodes/drover/qemu/100/cloudinit", Ct)).Data;

        // Assert
        user.ShouldBe(PveCloudInit.UserData(config, 100, maskPassword: true));
        user.ShouldContain("password: **********\n");
        user.ShouldContain($"  - {KeyA}\n");
        network.ShouldContain($"      mac_address: '{PveCloudInit.MacOf(config["net0"]!)!.ToLowerInvariant()}'\n");
        meta.ShouldBe(PveCloudInit.MetaData(PveCloudInit.UserData(config, 100), network));
        badType.Status.ShouldBe(400);
        listed.EnumerateArray().Select(i => i.GetProperty("key").GetString()).ShouldContain("ipconfig0");
    }

    [Fact]
    public async Task PUT_cloudinit_builds_a_cidata_ISO_with_the_four_files_and_a_snippet_as_user_data()
    {
        // Arrange
        await using var pve = await PveHarness.StartAsync();
        await pve.CreateVmAsync(100, Ct);
        using var control = pve.ControlClient();
        using var snippet = await control.PutAsync("proxmox/snippets/user.yaml", new StringContent("#cloud-config\nruncmd: [echo hi]\n"), Ct);
        await pve.PutAsync("nodes/drover/qemu/100/config", new Dictionary<string, string> { ["cicustom"] = "user=local:snippets/user.yaml", ["ipconfig0"] = "ip=dhcp" }, Ct);

        // Act
        var put = await pve.PutAsync("nodes/drover/qemu/100/cloudinit", null, Ct);
        var iso = Path.Combine(pve.Pve.State.CloudInitDirectory(100), "cidata.iso");
        var label = await ProcessRunner.CheckAsync("isoinfo", ["-d", "-i", iso], cancellationToken: Ct);
        var files = await ProcessRunner.CheckAsync("isoinfo", ["-R", "-f", "-i", iso], cancellationToken: Ct);
        var userData = await ProcessRunner.CheckAsync("isoinfo", ["-R", "-i", iso, "-x", "/user-data"], cancellationToken: Ct);
        var metaData = await ProcessRunner.CheckAsync("isoinfo", ["-R", "-i", iso, "-x", "/meta-data"], cancellationToken: Ct);
        var network = await ProcessRunner.CheckAsync("isoinfo", ["-R", "-i", iso, "-x", "/network-config"], cancellationToken: Ct);

        // Assert
        snippet.IsSuccessStatusCode.ShouldBeTrue();
        put.Status.ShouldBe(200);
        label.ShouldContain("Volume id: cidata");
        files.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order().ShouldBe(["/meta-data", "/network-config", "/user-data", "/vendor-data"]);
        userData.ShouldBe("#cloud-config\nruncmd: [echo hi]\n");
        metaData.ShouldBe(PveCloudInit.MetaData(userData, network));
        network.ShouldContain("- type: dhcp4");
        var info = await ProcessRunner.CheckAsync("qemu-img", ["info", pve.Pve.State.Storage.ImageFile(100, "vm-100-cloudinit.qcow2")], cancellationToken: Ct);
        info.ShouldContain("file format: qcow2");
    }

    [Fact]
    public async Task A_cicustom_volume_outside_snippets_is_refused()
    {
        // Arrange
        await using var pve = await PveHarness.StartAsync();
        await pve.CreateVmAsync(100, Ct);
        await pve.PutAsync("nodes/drover/qemu/100/config", new Dictionary<string, string> { ["cicustom"] = "user=local:import/disk.raw" }, Ct);

        // Act
        var put = await pve.PutAsync("nodes/drover/qemu/100/cloudinit", null, Ct);

        // Assert
        put.Status.ShouldBe(500);
        put.Reason.ShouldBe("local:import/disk.raw is not in the snippets directory");
    }
}
