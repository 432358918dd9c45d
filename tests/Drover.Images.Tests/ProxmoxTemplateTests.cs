using System.Net;
using System.Security.Cryptography;
using Drover.Images.Build;
using Drover.Images.Proxmox;
using Drover.Proxmox;
using Drover.Proxmox.Contracts;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Images.Tests;

/// <summary>
/// <c>drover proxmox template</c>'s importer against the local Proxmox VE (in memory, API only): what the template
/// holds, reuse by digest, and the refusals, each leaving nothing behind.
/// </summary>
public sealed class ProxmoxTemplateTests : IAsyncLifetime
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("drover-pxtemplate-");
    private TestLocalCloud _cloud = null!;
    private string _image = null!;
    private byte[] _bytes = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _cloud = await TestLocalCloud.StartInMemoryAsync(TestLocalCloud.DefaultOptions() with { StateDirectory = Path.Combine(_directory.FullName, "state") });
        _image = Path.Combine(_directory.FullName, "debian.raw");
        _bytes = new byte[2 << 20];
        RandomNumberGenerator.Fill(_bytes.AsSpan(0, 4096));
        await File.WriteAllBytesAsync(_image, _bytes, Ct);
        WriteManifest(_image, clean: true);
    }

    public async ValueTask DisposeAsync()
    {
        await _cloud.DisposeAsync();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task An_image_becomes_a_template_that_imports_it_with_a_cloud_init_drive_and_tags()
    {
        var client = Client();
        var result = await new ProxmoxTemplateImporter(client).ImportAsync(new ProxmoxTemplateOptions { ImagePath = _image, VmId = 9000 }, cancellationToken: Ct);

        result.VmId.ShouldBe(9000);
        result.Reused.ShouldBeFalse();
        result.Uploaded.ShouldBeTrue();
        result.Digest.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(_bytes)));
        result.Name.ShouldBe("drover-debian");
        result.Tags.ShouldBe(["drover", ProxmoxTemplateImporter.DigestTag(result.Digest)]);

        var config = await client.Qemu.GetConfigAsync(result.Node, 9000, cancellationToken: Ct);
        config.Raw["template"].ToString().ShouldBe("1");
        config.Raw["scsi0"].ToString().ShouldStartWith("local:");
        config.Raw["ide2"].ToString().ShouldContain("cloudinit");
        config.Raw["serial0"].ToString().ShouldBe("socket");
        config.Raw["net0"].ToString().ShouldContain("bridge=vmbr0");
        config.Raw["agent"].ToString().ShouldContain("1");
        ProxmoxTags.Parse(config.Raw["tags"].ToString()).ShouldContain(ProxmoxTemplateImporter.DigestTag(result.Digest));

        var imports = await client.Storage.ListContentAsync(result.Node, "local", StorageContent.Import, Ct);
        imports.Select(i => i.VolId).ShouldContain(result.ImportVolume);
        imports.Single(i => i.VolId == result.ImportVolume).Size.ShouldBe(_bytes.Length);
    }

    [Fact]
    public async Task The_same_image_again_reuses_its_template_and_uploads_nothing()
    {
        var client = Client();
        var importer = new ProxmoxTemplateImporter(client);
        var first = await importer.ImportAsync(new ProxmoxTemplateOptions { ImagePath = _image }, cancellationToken: Ct);
        var second = await importer.ImportAsync(new ProxmoxTemplateOptions { ImagePath = _image, VmId = 9100 }, cancellationToken: Ct);

        second.Reused.ShouldBeTrue();
        second.Uploaded.ShouldBeFalse();
        second.VmId.ShouldBe(first.VmId);
        (await client.Cluster.ListVmsAsync(Ct)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_template_made_again_after_its_deletion_takes_the_uploaded_volume_and_does_not_upload_twice()
    {
        var client = Client();
        var importer = new ProxmoxTemplateImporter(client);
        var first = await importer.ImportAsync(new ProxmoxTemplateOptions { ImagePath = _image, VmId = 9000 }, cancellationToken: Ct);
        await client.Tasks.WaitAsync(await client.Qemu.DeleteAsync(first.Node, 9000, cancellationToken: Ct), cancellationToken: Ct);

        var again = await importer.ImportAsync(new ProxmoxTemplateOptions { ImagePath = _image, VmId = 9001 }, cancellationToken: Ct);

        again.Reused.ShouldBeFalse();
        again.Uploaded.ShouldBeFalse();
        again.ImportVolume.ShouldBe(first.ImportVolume);
    }

    [Fact]
    public async Task A_vmid_in_use_is_refused_before_anything_is_uploaded()
    {
        var client = Client();
        await new ProxmoxTemplateImporter(client).ImportAsync(new ProxmoxTemplateOptions { ImagePath = _image, VmId = 9000 }, cancellationToken: Ct);
        var other = Path.Combine(_directory.FullName, "other.raw");
        await File.WriteAllBytesAsync(other, [.. _bytes.Reverse()], Ct);
        WriteManifest(other, clean: true);

        var e = await Should.ThrowAsync<ProxmoxTemplateException>(() => new ProxmoxTemplateImporter(client).ImportAsync(new ProxmoxTemplateOptions { ImagePath = other, VmId = 9000 }, cancellationToken: Ct));

        e.Message.ShouldContain("VMID 9000");
        e.Message.ShouldContain("already exists");
        (await client.Storage.ListContentAsync("drover", "local", StorageContent.Import, Ct)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_missing_node_or_storage_is_named_with_what_exists()
    {
        var client = Client();
        var importer = new ProxmoxTemplateImporter(client);

        var node = await Should.ThrowAsync<ProxmoxTemplateException>(() => importer.ImportAsync(new ProxmoxTemplateOptions { ImagePath = _image, Node = "pve9" }, cancellationToken: Ct));
        node.Message.ShouldBe("node 'pve9' is not in the cluster (its nodes: drover)");

        var storage = await Should.ThrowAsync<ProxmoxTemplateException>(() => importer.ImportAsync(new ProxmoxTemplateOptions { ImagePath = _image, ImportStorage = "nas" }, cancellationToken: Ct));
        storage.Message.ShouldStartWith("storage 'nas' is not on node 'drover' (its storages: local");
        (await client.Cluster.ListVmsAsync(Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task An_unscanned_image_is_refused_unless_allowed()
    {
        var bare = Path.Combine(_directory.FullName, "bare.raw");
        await File.WriteAllBytesAsync(bare, _bytes, Ct);
        var importer = new ProxmoxTemplateImporter(Client());

        var e = await Should.ThrowAsync<ProxmoxTemplateException>(() => importer.ImportAsync(new ProxmoxTemplateOptions { ImagePath = bare }, cancellationToken: Ct));
        e.Message.ShouldContain("is not scanned");

        (await importer.ImportAsync(new ProxmoxTemplateOptions { ImagePath = bare, AllowUnscanned = true }, cancellationToken: Ct)).Reused.ShouldBeFalse();
    }

    [Fact]
    public async Task A_dirty_or_changed_image_is_refused()
    {
        var dirty = Path.Combine(_directory.FullName, "dirty.raw");
        await File.WriteAllBytesAsync(dirty, _bytes, Ct);
        WriteManifest(dirty, clean: false);
        var importer = new ProxmoxTemplateImporter(Client());
        (await Should.ThrowAsync<ProxmoxTemplateException>(() => importer.ImportAsync(new ProxmoxTemplateOptions { ImagePath = dirty }, cancellationToken: Ct)))
            .Message.ShouldContain("secret scan findings");

        var changed = Path.Combine(_directory.FullName, "changed.raw");
        await File.WriteAllBytesAsync(changed, _bytes, Ct);
        WriteManifest(changed, clean: true);
        await File.WriteAllBytesAsync(changed, [1, 2, 3], Ct);
        (await Should.ThrowAsync<ProxmoxTemplateException>(() => importer.ImportAsync(new ProxmoxTemplateOptions { ImagePath = changed }, cancellationToken: Ct)))
            .Message.ShouldContain("changed after it was built");
    }

    [Theory]
    [InlineData("debian.raw.zst", "decompress it first")]
    [InlineData("debian.vmdk", "not a .raw, .img or .qcow2 disk image")]
    public void A_disk_format_proxmox_cannot_import_is_refused(string name, string message)
        => Should.Throw<ProxmoxTemplateException>(() => ProxmoxTemplateImporter.DiskFormat(name)).Message.ShouldContain(message);

    [Fact]
    public async Task A_failure_after_the_vm_was_created_destroys_it()
    {
        var client = Client(inner => new FailTemplateHandler(inner));
        var e = await Should.ThrowAsync<ProxmoxApiException>(() => new ProxmoxTemplateImporter(client).ImportAsync(new ProxmoxTemplateOptions { ImagePath = _image, VmId = 9000 }, cancellationToken: Ct));

        e.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        (await client.Cluster.ListVmsAsync(Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_wrong_token_is_refused_with_401_and_names_no_secret()
    {
        var client = _cloud.CreateProxmoxClient(tokenSecret: "00000000-0000-0000-0000-000000000000");
        var e = await Should.ThrowAsync<ProxmoxApiException>(() => new ProxmoxTemplateImporter(client).ImportAsync(new ProxmoxTemplateOptions { ImagePath = _image }, cancellationToken: Ct));
        e.IsUnauthorized.ShouldBeTrue();
        e.Message.ShouldNotContain("00000000-0000-0000-0000-000000000000");
    }

    private ProxmoxClient Client(Func<HttpMessageHandler, DelegatingHandler>? wrap = null) => _cloud.CreateProxmoxClient(wrap: wrap);

    private void WriteManifest(string image, bool clean)
        => new ImageManifest
        {
            Builder = "debian",
            Architecture = "x86",
            Path = image,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(image))),
            Labels = new Dictionary<string, string>(),
            Description = "test image",
            Created = DateTimeOffset.UnixEpoch,
            Scan = new ImageScan(true, clean ? [] : [new ScanFinding("/root/.ssh/id_ed25519", "private-key", "an OpenSSH private key")]),
        }.Write(Path.ChangeExtension(image, null) + ".manifest.json");

    /// <summary>Answers the template conversion with a 500, as a node that failed it would.</summary>
    private sealed class FailTemplateHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            => request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.EndsWith("/template", StringComparison.Ordinal)
                ? Task.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError) { ReasonPhrase = "storage went away", Content = new StringContent("{\"data\":null}") })
                : base.SendAsync(request, cancellationToken);
    }
}
