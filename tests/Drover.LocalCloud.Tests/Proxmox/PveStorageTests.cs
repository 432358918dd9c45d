using Drover.LocalCloud.Tests.Support;
using Shouldly;
using Xunit;

namespace Drover.LocalCloud.Tests.Proxmox;

/// <summary>The <c>local</c> storage: uploads with PVE's extension checks, content, deletion; snippets; credentials on disk.</summary>
public sealed class PveStorageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<PveReply> UploadAsync(PveHarness pve, string content, string filename, byte[] bytes)
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent(content), "content" },
            { new ByteArrayContent(bytes), "filename", filename },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "nodes/drover/storage/local/upload") { Content = form };
        return await PveHarness.SendAsync(pve.Http, request, Ct);
    }

    [Theory]
    [InlineData("import", "disk.raw", true)]
    [InlineData("import", "disk.qcow2", true)]
    [InlineData("import", "disk.img", false)]
    [InlineData("iso", "seed.iso", true)]
    [InlineData("iso", "seed.img", true)]
    [InlineData("iso", "seed.raw", false)]
    [InlineData("vztmpl", "debian.tar.zst", true)]
    [InlineData("vztmpl", "debian.zip", false)]
    public async Task Uploads_check_the_extension_of_their_content_type(string content, string filename, bool accepted)
    {
        // Arrange
        await using var pve = await PveHarness.StartAsync();

        // Act
        var reply = await UploadAsync(pve, content, filename, [1, 2, 3]);

        // Assert
        if (accepted)
        {
            await pve.OkAsync(reply, Ct);
            File.ReadAllBytes(Path.Combine(pve.Pve.State.Storage.Folder(content), filename)).ShouldBe([1, 2, 3]);
        }
        else
        {
            reply.Status.ShouldBe(400);
            reply.Error("filename").ShouldBe("wrong file extension");
        }
        var spool = pve.Pve.State.Storage.SpoolDirectory;
        (Directory.Exists(spool) ? Directory.EnumerateFiles(spool) : []).ShouldBeEmpty();
    }

    [Fact]
    public async Task Snippets_cannot_be_uploaded_through_the_API_but_through_the_local_control_endpoint()
    {
        // Arrange
        await using var pve = await PveHarness.StartAsync();
        using var control = pve.ControlClient();

        // Act
        var api = await UploadAsync(pve, "snippets", "user.yaml", [1]);
        using var put = await control.PutAsync("proxmox/snippets/user.yaml", new StringContent("#cloud-config\n"), Ct);
        var body = await put.Content.ReadAsStringAsync(Ct);
        using var bad = await control.PutAsync("proxmox/snippets/..", new StringContent("x"), Ct);
        var listed = (await pve.GetAsync("nodes/drover/storage/local/content?content=snippets", Ct)).Data;

        // Assert
        api.Status.ShouldBe(400);
        api.Error("content").ShouldStartWith("value 'snippets' does not have a value in the enumeration 'iso, vztmpl, import'");
        put.IsSuccessStatusCode.ShouldBeTrue();
        body.ShouldBe("""{"volid":"local:snippets/user.yaml"}""");
        ((int)bad.StatusCode).ShouldBeGreaterThanOrEqualTo(400);
        listed.GetArrayLength().ShouldBe(1);
        listed[0].GetProperty("volid").GetString().ShouldBe("local:snippets/user.yaml");
        listed[0].GetProperty("format").GetString().ShouldBe("snippet");
    }

    [Fact]
    public async Task Content_lists_and_deletes_volumes_and_refuses_one_a_VM_uses()
    {
        // Arrange
        await using var pve = await PveHarness.StartAsync();
        await pve.CreateVmAsync(100, Ct);

        // Act
        var all = (await pve.GetAsync("nodes/drover/storage/local/content", Ct)).Data;
        var used = await pve.DeleteAsync("nodes/drover/storage/local/content/local:100%2Fvm-100-disk-0.raw", Ct);
        await pve.OkAsync(await pve.DeleteAsync("nodes/drover/storage/local/content/local:import%2Fdisk.raw", Ct), Ct);
        var storages = (await pve.GetAsync("nodes/drover/storage", Ct)).Data;

        // Assert
        all.EnumerateArray().Select(v => v.GetProperty("volid").GetString()).ShouldBe(["local:import/disk.raw", "local:100/vm-100-cloudinit.qcow2", "local:100/vm-100-disk-0.raw"]);
        used.Status.ShouldBe(500);
        used.Reason.ShouldBe("unable to delete volume 'local:100/vm-100-disk-0.raw' - used by VM 100");
        File.Exists(Path.Combine(pve.Pve.State.Storage.Folder("import"), "disk.raw")).ShouldBeFalse();
        storages[0].GetProperty("storage").GetString().ShouldBe("local");
        storages[0].GetProperty("type").GetString().ShouldBe("dir");
        storages[0].GetProperty("content").GetString().ShouldBe("iso,vztmpl,snippets,import,images,rootdir");
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Credentials_and_VMs_survive_a_restart_and_secrets_are_0600()
    {
        // Arrange
        using var state = new TempDirectory();
        string secret, fingerprint;
        await using (var first = await PveHarness.StartAsync(state.Path))
        {
            await first.CreateVmAsync(100, Ct);
            (secret, fingerprint) = (first.Pve.Credentials.TokenSecret, first.Pve.Credentials.Fingerprint);
        }

        // Act
        await using var second = await PveHarness.StartAsync(state.Path);
        var config = await second.GetAsync("nodes/drover/qemu/100/config", Ct);

        // Assert
        second.Pve.Credentials.TokenSecret.ShouldBe(secret);
        secret.ShouldMatch("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
        second.Pve.Credentials.Fingerprint.ShouldBe(fingerprint);
        fingerprint.ShouldMatch("^([0-9A-F]{2}:){31}[0-9A-F]{2}$");
        config.Status.ShouldBe(200);
        foreach (var name in new[] { "token-secret", "root-password", "ticket.key", "pve-ssl.key" })
        {
            File.GetUnixFileMode(Path.Combine(state.Path, "proxmox", name)).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite, name);
        }
    }
}
