using System.Net;
using Drover.Proxmox.Contracts;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Proxmox.Tests;

public sealed class QemuClientTests
{
    private const string Vm = $"{TestClient.Api}/nodes/pve/qemu";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Create_sends_the_settings_as_a_form_with_booleans_as_1_and_0()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Post, Vm)
            .WithHeader("Content-Type", "application/x-www-form-urlencoded")
            .WithBody(b => b.ShouldBe(
                "vmid=9000&name=debian-13&memory=2048&cores=2&ostype=l26&scsihw=virtio-scsi-single&agent=enabled%3D1&vga=serial0" +
                "&template=0&tags=drover%3Bdrover-digest-0123456789abcdef" +
                "&ide2=local-lvm%3Acloudinit&net0=virtio%2Cbridge%3Dvmbr0&scsi0=local-lvm%3A0%2Cimport-from%3Dlocal%3Aimport%2Fdebian.qcow2&serial0=socket" +
                "&citype=nocloud&start=0"))
            .RespondData($"\"{Fixtures.CloneUpid}\"");
        var client = TestClient.Create(stub);

        // Act
        var upid = await client.Qemu.CreateAsync("pve", new CreateVmRequest
        {
            VmId = 9000,
            Start = false,
            Settings = new VmSettings
            {
                Name = "debian-13",
                Memory = 2048,
                Cores = 2,
                OsType = "l26",
                ScsiHw = "virtio-scsi-single",
                Agent = "enabled=1",
                Vga = "serial0",
                Template = false,
                Tags = ["drover", "drover-digest-0123456789abcdef"],
                Devices = new Dictionary<string, string>
                {
                    ["scsi0"] = "local-lvm:0,import-from=local:import/debian.qcow2",
                    ["ide2"] = "local-lvm:cloudinit",
                    ["net0"] = "virtio,bridge=vmbr0",
                    ["serial0"] = "socket",
                },
                CloudInit = new CloudInitOptions { Type = CloudInitType.NoCloud },
            },
        }, Ct);

        // Assert
        upid.Type.ShouldBe("qmclone");
    }

    [Fact]
    public async Task Clone_sends_newid_name_full_storage_and_the_rest_as_a_form()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Post, $"{Vm}/9000/clone")
            .WithBody(b => b.ShouldBe("newid=101&name=web-1&full=1&storage=local-lvm&format=raw&target=pve2&pool=drover&description=made%20by%20drover"))
            .RespondData($"\"{Fixtures.CloneUpid}\"");
        stub.Expect(HttpMethod.Post, $"{Vm}/9000/clone").WithBody(b => b.ShouldBe("newid=102&full=0")).RespondData($"\"{Fixtures.CloneUpid}\"");
        var client = TestClient.Create(stub);

        // Act
        var full = await client.Qemu.CloneAsync("pve", 9000, new CloneVmRequest
        {
            NewId = 101,
            Name = "web-1",
            Full = true,
            Storage = "local-lvm",
            Format = "raw",
            Target = "pve2",
            Pool = "drover",
            Description = "made by drover",
        }, Ct);
        var linked = await client.Qemu.CloneAsync("pve", 9000, new CloneVmRequest { NewId = 102, Full = false }, Ct);

        // Assert
        full.Id.ShouldBe("9000");
        linked.Value.ShouldBe(Fixtures.CloneUpid);
        Should.Throw<ArgumentException>(() => client.Qemu.CloneAsync("pve", 9000, new CloneVmRequest { NewId = 103, Full = false, Storage = "x" }, Ct))
            .Message.ShouldContain("only allowed for full clones");
    }

    [Fact]
    public async Task Cloud_init_options_become_form_parameters_and_sshkeys_are_encoded_twice_on_the_wire()
    {
        // Arrange
        const string key1 = "ssh-ed25519 AAAAC3Nz+a/b= alice@laptop";
        const string key2 = "ssh-rsa AAAAB3Nza= bob@host";
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Put, $"{Vm}/101/config")
            .WithBody(b => b.ShouldBe(
                "ciuser=admin&cipassword=s3cret%2B" +
                "&sshkeys=ssh-ed25519%2520AAAAC3Nz%252Ba%252Fb%253D%2520alice%2540laptop%250Assh-rsa%2520AAAAB3Nza%253D%2520bob%2540host" +
                "&ipconfig0=ip%3D192.0.2.10%2F24%2Cgw%3D192.0.2.1&ipconfig1=ip%3Ddhcp%2Cip6%3Dauto" +
                "&nameserver=192.0.2.53%201.1.1.1&searchdomain=example.org" +
                "&cicustom=user%3Dlocal%3Asnippets%2Fweb-1.yaml%2Cnetwork%3Dlocal%3Asnippets%2Fnet.yaml" +
                "&citype=nocloud&ciupgrade=0"))
            .RespondData("null");
        var client = TestClient.Create(stub);
        var cloudInit = new CloudInitOptions
        {
            User = "admin",
            Password = "s3cret+",
            SshKeys = [key1, key2],
            IpConfigs = new Dictionary<int, IpConfig> { [1] = IpConfig.Dhcp with { Ip6 = "auto" }, [0] = IpConfig.Static("192.0.2.10/24", "192.0.2.1") },
            Nameservers = ["192.0.2.53", "1.1.1.1"],
            SearchDomain = "example.org",
            Custom = new CloudInitCustom { User = "local:snippets/web-1.yaml", Network = "local:snippets/net.yaml" },
            Type = CloudInitType.NoCloud,
            Upgrade = false,
        };

        // Act
        await client.Qemu.SetConfigAsync("pve", 101, new UpdateVmConfigRequest { Settings = new VmSettings { CloudInit = cloudInit } }, Ct);

        // Assert
        cloudInit.ToString().ShouldNotContain("s3cret");
    }

    [Fact]
    public async Task Config_POST_returns_the_task_or_null_and_an_empty_change_is_refused()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Post, $"{Vm}/101/config").WithBody(b => b.ShouldBe("delete=ide2%2Cnet1&digest=abc")).RespondData($"\"{Fixtures.StartUpid}\"");
        stub.Expect(HttpMethod.Post, $"{Vm}/101/config").WithBody(b => b.ShouldBe("name=web-1")).RespondData("null");
        var client = TestClient.Create(stub);

        // Act
        var task = await client.Qemu.UpdateConfigAsync("pve", 101, new UpdateVmConfigRequest { Delete = ["ide2", "net1"], Digest = "abc" }, Ct);
        var none = await client.Qemu.UpdateConfigAsync("pve", 101, new UpdateVmConfigRequest { Settings = new VmSettings { Name = "web-1" } }, Ct);

        // Assert
        task.ShouldNotBeNull().Type.ShouldBe("qmstart");
        none.ShouldBeNull();
        (await Should.ThrowAsync<ArgumentException>(() => client.Qemu.UpdateConfigAsync("pve", 101, new UpdateVmConfigRequest(), Ct)))
            .Message.ShouldContain("no keys");
    }

    [Fact]
    public async Task Config_GET_gives_typed_keys_and_the_raw_dictionary()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, $"{Vm}/101/config?current=1").RespondData("""
            {"name":"web-1","memory":"2048","cores":2,"template":1,"tags":"drover;drover-digest-0123456789abcdef",
             "ide2":"local-lvm:vm-101-cloudinit,media=cdrom","scsi0":"local-lvm:base-9000-disk-0/vm-101-disk-0,size=8G",
             "sshkeys":"ssh-ed25519%20AAAA%2B%2F%3D%20alice%40laptop%0Assh-rsa%20BBBB%20bob","ipconfig0":"gw=192.0.2.1,ip=192.0.2.10/24",
             "ipconfig1":"ip=dhcp","cicustom":"user=local:snippets/web-1.yaml","citype":"nocloud","ciuser":"admin",
             "digest":"0a1b2c","agent":"1"}
            """);
        var client = TestClient.Create(stub);

        // Act
        var config = await client.Qemu.GetConfigAsync("pve", 101, current: true, Ct);

        // Assert
        config.Name.ShouldBe("web-1");
        config.Cores.ShouldBe(2);
        config.Template.ShouldBeTrue();
        config.Tags.ShouldBe(["drover", "drover-digest-0123456789abcdef"]);
        config.SshKeys.ShouldBe(["ssh-ed25519 AAAA+/= alice@laptop", "ssh-rsa BBBB bob"]);
        config.IpConfigs[0].ShouldBe(IpConfig.Static("192.0.2.10/24", "192.0.2.1"));
        config.IpConfigs[1].ShouldBe(IpConfig.Dhcp);
        config.CiCustom.ShouldBe(new CloudInitCustom { User = "local:snippets/web-1.yaml" });
        config.CiType.ShouldBe(CloudInitType.NoCloud);
        config.CloudInitDrive.ShouldBe("ide2");
        config.Raw["cores"].ShouldBe("2");
        config.Digest.ShouldBe("0a1b2c");
    }

    [Fact]
    public async Task Delete_puts_purge_and_destroy_unreferenced_disks_in_the_query_string()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Delete, $"{Vm}/101?purge=1&destroy-unreferenced-disks=1").WithBody(b => b.ShouldBeEmpty()).RespondData($"\"{Fixtures.StartUpid}\"");
        stub.Expect(HttpMethod.Delete, $"{Vm}/102?purge=0&destroy-unreferenced-disks=0").RespondData($"\"{Fixtures.StartUpid}\"");
        var client = TestClient.Create(stub);

        // Act
        await client.Qemu.DeleteAsync("pve", 101, cancellationToken: Ct);
        await client.Qemu.DeleteAsync("pve", 102, purge: false, destroyUnreferencedDisks: false, Ct);

        // Assert
        stub.VerifyAllCalled();
    }

    [Fact]
    public async Task Power_actions_template_and_resize_return_their_tasks()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Post, $"{Vm}/101/status/shutdown").WithBody(b => b.ShouldBe("timeout=60&forceStop=1")).RespondData($"\"{Fixtures.StartUpid}\"");
        stub.Expect(HttpMethod.Post, $"{Vm}/101/status/stop").WithBody(b => b.ShouldBeEmpty()).RespondData($"\"{Fixtures.StartUpid}\"");
        stub.Expect(HttpMethod.Post, $"{Vm}/101/status/reboot").RespondData($"\"{Fixtures.StartUpid}\"");
        stub.Expect(HttpMethod.Post, $"{Vm}/9000/template").RespondData($"\"{Fixtures.StartUpid}\"");
        stub.Expect(HttpMethod.Put, $"{Vm}/101/resize").WithBody(b => b.ShouldBe("disk=scsi0&size=%2B5G")).RespondData($"\"{Fixtures.StartUpid}\"");
        var client = TestClient.Create(stub);

        // Act
        await client.Qemu.ShutdownAsync("pve", 101, 60, forceStop: true, Ct);
        await client.Qemu.StopAsync("pve", 101, cancellationToken: Ct);
        await client.Qemu.RebootAsync("pve", 101, cancellationToken: Ct);
        await client.Qemu.ConvertToTemplateAsync("pve", 9000, cancellationToken: Ct);
        await client.Qemu.ResizeAsync("pve", 101, "scsi0", "+5G", Ct);

        // Assert
        stub.VerifyAllCalled();
    }

    [Fact]
    public async Task List_and_status_read_the_summaries()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, Vm).RespondData("""[{"vmid":9000,"status":"stopped","name":"debian","template":1,"tags":"drover"},{"vmid":"101","status":"running","name":"web-1"}]""");
        stub.Expect(HttpMethod.Get, $"{Vm}/101/status/current").RespondData("""{"vmid":101,"status":"running","qmpstatus":"running","agent":1,"uptime":42,"ha":{"managed":0}}""");
        var client = TestClient.Create(stub);

        // Act
        var vms = await client.Qemu.ListAsync("pve", Ct);
        var status = await client.Qemu.GetStatusAsync("pve", 101, Ct);

        // Assert
        vms.Select(v => (v.VmId, v.Template, v.TagList.Count)).ShouldBe([(9000, (bool?)true, 1), (101, null, 0)]);
        status.ShouldNotBeNull().IsRunning.ShouldBeTrue();
        status.Agent.ShouldBe(true);
    }

    [Fact]
    public async Task Cloud_init_dump_regenerate_and_guest_agent_interfaces()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, $"{Vm}/101/cloudinit/dump?type=meta").RespondData("\"instance-id: 3f786850e387550fdab836ed7e6dc881de23001b\\n\"");
        stub.Expect(HttpMethod.Put, $"{Vm}/101/cloudinit").RespondData("null");
        stub.Expect(HttpMethod.Get, $"{Vm}/101/agent/network-get-interfaces").RespondData("""
            {"result":[{"name":"lo","hardware-address":"00:00:00:00:00:00","ip-addresses":[{"ip-address":"127.0.0.1","ip-address-type":"ipv4","prefix":8}]},
                       {"name":"eth0","hardware-address":"bc:24:11:aa:bb:cc","ip-addresses":[{"ip-address":"192.0.2.10","ip-address-type":"ipv4","prefix":24},
                        {"ip-address":"fe80::be24:11ff:feaa:bbcc","ip-address-type":"ipv6","prefix":64}],"statistics":{"rx-bytes":1}}]}
            """);
        var client = TestClient.Create(stub);

        // Act
        var meta = await client.Qemu.DumpCloudInitAsync("pve", 101, CloudInitDumpType.Meta, Ct);
        await client.Qemu.RegenerateCloudInitAsync("pve", 101, Ct);
        var interfaces = await client.Qemu.GetNetworkInterfacesAsync("pve", 101, Ct);

        // Assert
        meta.ShouldStartWith("instance-id: ");
        interfaces[1].HardwareAddress.ShouldBe("bc:24:11:aa:bb:cc");
        interfaces[1].IpAddresses.Select(a => $"{a.IpAddress}/{a.Prefix} {a.IpAddressType}").ShouldBe(["192.0.2.10/24 ipv4", "fe80::be24:11ff:feaa:bbcc/64 ipv6"]);
    }

    [Fact]
    public async Task Agent_ping_is_false_when_the_agent_does_not_answer()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Post, $"{Vm}/101/agent/ping").RespondData("""{"result":{}}""");
        stub.Expect(HttpMethod.Post, $"{Vm}/101/agent/ping").RespondPve(HttpStatusCode.InternalServerError, "QEMU guest agent is not running");
        var client = TestClient.Create(stub);

        // Act / Assert
        (await client.Qemu.PingAgentAsync("pve", 101, Ct)).ShouldBeTrue();
        (await client.Qemu.PingAgentAsync("pve", 101, Ct)).ShouldBeFalse();
    }
}
