using Drover.Core.Processes;
using Shouldly;
using Xunit;

namespace Drover.LocalCloud.Tests.Proxmox;

/// <summary>VM lifecycle rules of the local Proxmox VE: create, template, clones, config, delete, tasks (machines off).</summary>
public sealed class PveVmTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Create_imports_the_disk_allocates_the_cloudinit_drive_and_gives_the_NIC_a_MAC()
    {
        // Arrange
        await using var pve = await PveHarness.StartAsync();

        // Act
        await pve.CreateVmAsync(100, Ct, new Dictionary<string, string> { ["tags"] = "drover;digest-abc", ["cores"] = "2", ["memory"] = "1024" });
        var config = (await pve.GetAsync("nodes/drover/qemu/100/config", Ct)).Data;
        var list = (await pve.GetAsync("nodes/drover/qemu", Ct)).Data;
        var resources = (await pve.GetAsync("cluster/resources?type=vm", Ct)).Data;

        // Assert
        config.GetProperty("scsi0").GetString().ShouldBe("local:100/vm-100-disk-0.raw,size=1M");
        config.GetProperty("ide2").GetString().ShouldBe("local:100/vm-100-cloudinit.qcow2,media=cdrom");
        config.GetProperty("net0").GetString()!.ShouldMatch("^virtio=BC:24:11:[0-9A-F]{2}:[0-9A-F]{2}:[0-9A-F]{2},bridge=vmbr0$");
        config.GetProperty("boot").GetString().ShouldBe("order=scsi0");
        config.GetProperty("cores").GetInt64().ShouldBe(2);
        config.GetProperty("digest").GetString()!.Length.ShouldBe(40);
        File.ReadAllText(Path.Combine(pve.Pve.State.Root, "qemu-server", "100.conf")).ShouldContain("scsi0: local:100/vm-100-disk-0.raw,size=1M\n");
        File.ReadAllBytes(pve.Pve.State.Storage.ImageFile(100, "vm-100-disk-0.raw"))[..16].ShouldBe("drover-test-disk"u8.ToArray());
        list[0].GetProperty("vmid").GetInt64().ShouldBe(100);
        list[0].GetProperty("status").GetString().ShouldBe("stopped");
        list[0].GetProperty("tags").GetString().ShouldBe("drover;digest-abc");
        resources[0].GetProperty("id").GetString().ShouldBe("qemu/100");
        resources[0].GetProperty("template").GetInt64().ShouldBe(0);
    }

    [Fact]
    public async Task Creating_an_existing_VMID_fails_and_a_new_disk_is_sparse_of_its_size()
    {
        // Arrange
        await using var pve = await PveHarness.StartAsync();
        await pve.CreateVmAsync(100, Ct);

        // Act
        var again = await pve.PostAsync("nodes/drover/qemu", new Dictionary<string, string> { ["vmid"] = "100" }, Ct);
        await pve.OkAsync(await pve.PostAsync("nodes/drover/qemu", new Dictionary<string, string> { ["vmid"] = "101", ["scsi0"] = "local:2" }, Ct), Ct);

        // Assert
        again.Status.ShouldBe(500);
        again.Reason.ShouldBe("unable to create VM 100: config file already exists");
        (await pve.GetAsync("nodes/drover/qemu/101/config", Ct)).Data.GetProperty("scsi0").GetString().ShouldBe("local:101/vm-101-disk-0.raw,size=2G");
        new FileInfo(pve.Pve.State.Storage.ImageFile(101, "vm-101-disk-0.raw")).Length.ShouldBe(2L << 30);
    }

    [Fact]
    public async Task A_template_cannot_start_and_its_linked_clone_is_a_qcow2_overlay_on_the_base_disk()
    {
        // Arrange
        await using var pve = await PveHarness.StartAsync();
        await pve.CreateVmAsync(100, Ct);
        await pve.OkAsync(await pve.PostAsync("nodes/drover/qemu/100/template", null, Ct), Ct);

        // Act
        var start = await pve.PostAsync("nodes/drover/qemu/100/status/start", null, Ct);
        var clone = await pve.PostAsync("nodes/drover/qemu/100/clone", new Dictionary<string, string> { ["newid"] = "101", ["name"] = "web1" }, Ct);
        await pve.OkAsync(clone, Ct);
        var config = (await pve.GetAsync("nodes/drover/qemu/101/config", Ct)).Data;
        var template = (await pve.GetAsync("nodes/drover/qemu/100/config", Ct)).Data;

        // Assert
        start.Status.ShouldBe(500);
        start.Reason.ShouldBe("you can't start a vm if it's a template");
        clone.Data.GetString()!.ShouldContain(":qmclone:100:root@pam:");
        template.GetProperty("template").GetInt64().ShouldBe(1);
        template.GetProperty("scsi0").GetString().ShouldBe("local:100/base-100-disk-0.raw,size=1M");
        config.GetProperty("scsi0").GetString().ShouldBe("local:100/base-100-disk-0.raw/101/vm-101-disk-0.qcow2,size=1M");
        config.GetProperty("ide2").GetString().ShouldBe("local:101/vm-101-cloudinit.qcow2,media=cdrom");
        config.GetProperty("name").GetString().ShouldBe("web1");
        config.GetProperty("net0").GetString().ShouldNotBe(template.GetProperty("net0").GetString());
        config.TryGetProperty("template", out _).ShouldBeFalse();
        var info = await ProcessRunner.CheckAsync("qemu-img", ["info", "--output=json", pve.Pve.State.Storage.ImageFile(101, "vm-101-disk-0.qcow2")], cancellationToken: Ct);
        info.ShouldContain("\"backing-filename\": \"../100/base-100-disk-0.raw\"");
        info.ShouldContain("\"backing-filename-format\": \"raw\"");
    }

    [Fact]
    public async Task Linked_clone_rules_and_a_used_newid_get_PVEs_errors_and_a_full_clone_is_a_copy()
    {
        // Arrange
        await using var pve = await PveHarness.StartAsync();
        await pve.CreateVmAsync(100, Ct);
        await pve.CreateVmAsync(102, Ct);

        // Act
        var linkedOfVm = await pve.PostAsync("nodes/drover/qemu/100/clone", new Dictionary<string, string> { ["newid"] = "101", ["full"] = "0" }, Ct);
        await pve.OkAsync(await pve.PostAsync("nodes/drover/qemu/100/template", null, Ct), Ct);
        var storage = await pve.PostAsync("nodes/drover/qemu/100/clone", new Dictionary<string, string> { ["newid"] = "101", ["storage"] = "local" }, Ct);
        var format = await pve.PostAsync("nodes/drover/qemu/100/clone", new Dictionary<string, string> { ["newid"] = "101", ["format"] = "qcow2" }, Ct);
        var used = await pve.PostAsync("nodes/drover/qemu/100/clone", new Dictionary<string, string> { ["newid"] = "102" }, Ct);
        await pve.OkAsync(await pve.PostAsync("nodes/drover/qemu/100/clone", new Dictionary<string, string> { ["newid"] = "103", ["full"] = "1" }, Ct), Ct);

        // Assert
        linkedOfVm.Reason.ShouldBe("Linked clone feature is not supported for drive 'scsi0'");
        storage.Status.ShouldBe(500);
        storage.Reason.ShouldBe("parameter 'storage' not allowed for linked clones");
        format.Reason.ShouldBe("parameter 'format' not allowed for linked clones");
        used.Status.ShouldBe(500);
        used.Reason.ShouldBe("unable to create VM 102: config file already exists");
        (await pve.GetAsync("nodes/drover/qemu/103/config", Ct)).Data.GetProperty("scsi0").GetString().ShouldBe("local:103/vm-103-disk-0.raw,size=1M");
        File.ReadAllBytes(pve.Pve.State.Storage.ImageFile(103, "vm-103-disk-0.raw"))[..16].ShouldBe("drover-test-disk"u8.ToArray());
    }

    [Fact]
    public async Task A_clone_that_fails_half_way_leaves_nothing_behind()
    {
        // Arrange
        await using var pve = await PveHarness.StartAsync();
        await pve.CreateVmAsync(100, Ct);
        await pve.OkAsync(await pve.PostAsync("nodes/drover/qemu/100/template", null, Ct), Ct);
        File.Delete(pve.Pve.State.Storage.ImageFile(100, "base-100-disk-0.raw")); // the copy step will fail

        // Act
        var status = await pve.WaitAsync(await pve.PostAsync("nodes/drover/qemu/100/clone", new Dictionary<string, string> { ["newid"] = "101", ["full"] = "1" }, Ct), Ct);
        var config = await pve.GetAsync("nodes/drover/qemu/101/config", Ct);

        // Assert
        status.Data.GetProperty("status").GetString().ShouldBe("stopped");
        status.Data.GetProperty("exitstatus").GetString().ShouldStartWith("qemu-img convert failed");
        config.Status.ShouldBe(500);
        Directory.Exists(Path.GetDirectoryName(pve.Pve.State.Storage.ImageFile(101, "x"))).ShouldBeFalse();
        File.Exists(Path.Combine(pve.Pve.State.Root, "qemu-server", "101.conf")).ShouldBeFalse();
        (await pve.GetAsync("cluster/nextid", Ct)).Data.GetInt64().ShouldBe(101);
    }

    [Fact]
    public async Task Delete_refuses_a_running_VM_and_a_template_with_linked_clones_then_removes_everything()
    {
        // Arrange
        await using var pve = await PveHarness.StartAsync();
        await pve.CreateVmAsync(100, Ct);
        await pve.OkAsync(await pve.PostAsync("nodes/drover/qemu/100/template", null, Ct), Ct);
        await pve.OkAsync(await pve.PostAsync("nodes/drover/qemu/100/clone", new Dictionary<string, string> { ["newid"] = "101" }, Ct), Ct);
        await pve.OkAsync(await pve.PostAsync("nodes/drover/qemu/101/status/start", null, Ct), Ct);

        // Act
        var running = await pve.DeleteAsync("nodes/drover/qemu/101?purge=1&destroy-unreferenced-disks=1", Ct);
        var template = await pve.DeleteAsync("nodes/drover/qemu/100", Ct);
        await pve.OkAsync(await pve.PostAsync("nodes/drover/qemu/101/status/stop", null, Ct), Ct);
        await pve.OkAsync(await pve.DeleteAsync("nodes/drover/qemu/101?purge=1&destroy-unreferenced-disks=1", Ct), Ct);
        await pve.OkAsync(await pve.DeleteAsync("nodes/drover/qemu/100", Ct), Ct);

        // Assert
        running.Reason.ShouldBe("VM 101 is running - destroy failed");
        template.Reason!.ShouldStartWith("base volume 'local:100/base-100-disk-0.raw' is still in use by linked clone VM 101");
        (await pve.GetAsync("nodes/drover/qemu", Ct)).Data.GetArrayLength().ShouldBe(0);
        Directory.EnumerateFileSystemEntries(Path.Combine(pve.Pve.State.Storage.Path, "images")).ShouldBeEmpty();
        Directory.EnumerateFiles(Path.Combine(pve.Pve.State.Root, "qemu-server")).ShouldBeEmpty();
    }

    [Fact]
    public async Task Tasks_have_PVEs_UPID_format_a_status_and_a_log_that_ends_in_TASK_OK()
    {
        // Arrange
        await using var pve = await PveHarness.StartAsync();
        pve.SeedImport();

        // Act
        var upid = await pve.PostAsync("nodes/drover/qemu", new Dictionary<string, string> { ["vmid"] = "100", ["scsi0"] = "local:0,import-from=local:import/disk.raw" }, Ct);
        var status = await pve.WaitAsync(upid, Ct);
        var log = await pve.GetAsync($"nodes/drover/tasks/{Uri.EscapeDataString(upid.Data.GetString()!)}/log", Ct);

        // Assert
        upid.Data.GetString()!.ShouldMatch(@"^UPID:drover:[0-9A-F]{8}:[0-9A-F]{8,9}:[0-9A-F]{8}:qmcreate:100:root@pam:$");
        status.Data.GetProperty("status").GetString().ShouldBe("stopped");
        status.Data.GetProperty("exitstatus").GetString().ShouldBe("OK");
        status.Data.GetProperty("type").GetString().ShouldBe("qmcreate");
        status.Data.GetProperty("id").GetString().ShouldBe("100");
        status.Data.GetProperty("user").GetString().ShouldBe("root@pam");
        status.Data.GetProperty("upid").GetString().ShouldBe(upid.Data.GetString());
        var lines = log.Data.EnumerateArray().Select(l => l.GetProperty("t").GetString()).ToList();
        lines[^1].ShouldBe("TASK OK");
        log.Data[0].GetProperty("n").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task Config_POST_is_async_PUT_is_sync_and_delete_removes_keys_and_a_stale_digest_is_refused()
    {
        // Arrange
        await using var pve = await PveHarness.StartAsync();
        await pve.CreateVmAsync(100, Ct, new Dictionary<string, string> { ["description"] = "first" });
        var digest = (await pve.GetAsync("nodes/drover/qemu/100/config", Ct)).Data.GetProperty("digest").GetString()!;

        // Act
        var post = await pve.PostAsync("nodes/drover/qemu/100/config", new Dictionary<string, string> { ["ciuser"] = "admin", ["digest"] = digest }, Ct);
        await pve.OkAsync(post, Ct);
        var stale = await pve.PutAsync("nodes/drover/qemu/100/config", new Dictionary<string, string> { ["cores"] = "4", ["digest"] = digest }, Ct);
        var put = await pve.PutAsync("nodes/drover/qemu/100/config", new Dictionary<string, string> { ["delete"] = "description,agent", ["cipassword"] = "secret" }, Ct);
        var empty = await pve.PutAsync("nodes/drover/qemu/100/config", new Dictionary<string, string>(), Ct);
        var config = (await pve.GetAsync("nodes/drover/qemu/100/config", Ct)).Data;

        // Assert
        post.Data.GetString()!.ShouldContain(":qmconfig:100:");
        stale.Reason.ShouldBe("detected modified configuration - file changed by other user? Try again.");
        put.Status.ShouldBe(200);
        empty.Reason.ShouldBe("no options specified");
        config.GetProperty("ciuser").GetString().ShouldBe("admin");
        config.GetProperty("cipassword").GetString().ShouldBe("**********");
        config.TryGetProperty("description", out _).ShouldBeFalse();
        config.TryGetProperty("agent", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task Resize_grows_the_disk_and_refuses_to_shrink_it()
    {
        // Arrange
        await using var pve = await PveHarness.StartAsync();
        await pve.CreateVmAsync(100, Ct);

        // Act
        await pve.OkAsync(await pve.PutAsync("nodes/drover/qemu/100/resize", new Dictionary<string, string> { ["disk"] = "scsi0", ["size"] = "+1G" }, Ct), Ct);
        var shrink = await pve.PutAsync("nodes/drover/qemu/100/resize", new Dictionary<string, string> { ["disk"] = "scsi0", ["size"] = "1M" }, Ct);

        // Assert
        (await pve.GetAsync("nodes/drover/qemu/100/config", Ct)).Data.GetProperty("scsi0").GetString().ShouldBe("local:100/vm-100-disk-0.raw,size=1025M");
        new FileInfo(pve.Pve.State.Storage.ImageFile(100, "vm-100-disk-0.raw")).Length.ShouldBe((1L << 30) + (1L << 20));
        shrink.Reason.ShouldBe("shrinking disks is not supported");
    }

    [Fact]
    public async Task Start_and_stop_change_the_status_and_the_agent_is_not_running_without_machines()
    {
        // Arrange
        await using var pve = await PveHarness.StartAsync();
        await pve.CreateVmAsync(100, Ct);

        // Act
        var stoppedAgent = await pve.GetAsync("nodes/drover/qemu/100/agent/network-get-interfaces", Ct);
        await pve.OkAsync(await pve.PostAsync("nodes/drover/qemu/100/status/start", null, Ct), Ct);
        var running = (await pve.GetAsync("nodes/drover/qemu/100/status/current", Ct)).Data;
        var agent = await pve.GetAsync("nodes/drover/qemu/100/agent/network-get-interfaces", Ct);
        await pve.OkAsync(await pve.PostAsync("nodes/drover/qemu/100/status/shutdown", null, Ct), Ct);
        var stopped = (await pve.GetAsync("nodes/drover/qemu/100/status/current", Ct)).Data;

        // Assert
        stoppedAgent.Reason.ShouldBe("VM 100 is not running");
        running.GetProperty("status").GetString().ShouldBe("running");
        running.GetProperty("qmpstatus").GetString().ShouldBe("running");
        running.GetProperty("agent").GetInt64().ShouldBe(1);
        agent.Status.ShouldBe(500);
        agent.Reason.ShouldBe("QEMU guest agent is not running");
        stopped.GetProperty("status").GetString().ShouldBe("stopped");
        File.Exists(Path.Combine(pve.Pve.State.CloudInitDirectory(100), "cidata.iso")).ShouldBeTrue();
    }

    [Fact]
    public async Task A_local_cloud_reset_forgets_the_VMs_and_volumes_but_keeps_the_token()
    {
        // Arrange
        await using var pve = await PveHarness.StartAsync();
        await pve.CreateVmAsync(100, Ct);
        var secret = pve.Pve.Credentials.TokenSecret;
        using var control = pve.ControlClient();

        // Act
        using var reset = await control.PostAsync("reset", null, Ct);
        var list = await pve.GetAsync("nodes/drover/qemu", Ct);
        var content = await pve.GetAsync("nodes/drover/storage/local/content", Ct);

        // Assert
        reset.IsSuccessStatusCode.ShouldBeTrue();
        list.Status.ShouldBe(200, "the same token still works");
        list.Data.GetArrayLength().ShouldBe(0);
        content.Data.GetArrayLength().ShouldBe(0);
        pve.Pve.Credentials.TokenSecret.ShouldBe(secret);
    }
}
