using System.Net;
using System.Text;
using Drover.Proxmox.Contracts;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Proxmox.Tests;

public sealed class StorageClientTests
{
    private const string Local = $"{TestClient.Api}/nodes/pve/storage/local";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Upload_streams_a_multipart_body_with_the_fields_first_and_the_file_last()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Post, $"{Local}/upload")
            .WithBody(body =>
            {
                var content = body.IndexOf("name=\"content\"", StringComparison.Ordinal);
                var checksum = body.IndexOf("name=\"checksum\"", StringComparison.Ordinal);
                var algorithm = body.IndexOf("name=\"checksum-algorithm\"", StringComparison.Ordinal);
                var file = body.IndexOf("name=\"filename\"; filename=\"debian.qcow2\"", StringComparison.Ordinal);
                content.ShouldBeGreaterThan(0);
                checksum.ShouldBeGreaterThan(content);
                algorithm.ShouldBeGreaterThan(checksum);
                file.ShouldBeGreaterThan(algorithm);
                body.ShouldContain("name=\"content\"\r\n\r\nimport\r\n");
                body.ShouldContain("name=\"checksum-algorithm\"\r\n\r\nsha256\r\n");
                body.ShouldContain("filename=\"debian.qcow2\"\r\n\r\nQCOW-BYTES\r\n");
                body.ShouldNotContain("filename*");
            })
            .RespondData($"\"{Fixtures.StartUpid}\"");
        var client = TestClient.Create(stub);
        var progress = new RecordingProgress<long>();
        using var file = new MemoryStream(Encoding.ASCII.GetBytes("QCOW-BYTES"));

        // Act
        var upid = await client.Storage.UploadAsync("pve", "local", new UploadFileRequest
        {
            Content = StorageContent.Import,
            FileName = "debian.qcow2",
            Checksum = "ab12",
            ChecksumAlgorithm = ChecksumAlgorithm.Sha256,
        }, file, progress, Ct);

        // Assert
        upid.Value.ShouldBe(Fixtures.StartUpid);
        progress.Reports[^1].ShouldBe(10);
        stub.Requests[0].Header("Content-Type").ShouldStartWith("multipart/form-data; boundary=");
        stub.Requests[0].Header("Content-Length").ShouldNotBeNull();
    }

    [Fact]
    public async Task Upload_refuses_snippets_before_sending_anything()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        var client = TestClient.Create(stub);
        using var file = new MemoryStream([1]);

        // Act
        var error = await Should.ThrowAsync<ArgumentException>(() => client.Storage.UploadAsync("pve", "local",
            new UploadFileRequest { Content = StorageContent.Snippets, FileName = "user.yaml" }, file, cancellationToken: Ct));

        // Assert
        error.Message.ShouldContain("snippets cannot be uploaded through the Proxmox API");
    }

    [Fact]
    public async Task Upload_refuses_a_stream_of_unknown_length()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        var client = TestClient.Create(stub);
        await using var file = new UnseekableStream();

        // Act
        var error = await Should.ThrowAsync<ArgumentException>(() => client.Storage.UploadAsync("pve", "local",
            new UploadFileRequest { Content = StorageContent.Iso, FileName = "x.iso" }, file, cancellationToken: Ct));

        // Assert
        error.Message.ShouldContain("must be seekable");
    }

    [Fact]
    public async Task Content_is_listed_and_a_volume_deleted_by_its_escaped_id()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, $"{Local}/content?content=import")
            .RespondData("""[{"volid":"local:import/debian.qcow2","format":"qcow2","size":"123456","ctime":1734603168,"content":"import"}]""");
        stub.Expect(HttpMethod.Delete, $"{Local}/content/local%3Aimport%2Fdebian.qcow2").RespondData($"\"{Fixtures.StartUpid}\"");
        stub.Expect(HttpMethod.Delete, $"{Local}/content/local%3Aiso%2Fx.iso").RespondData("null");
        var client = TestClient.Create(stub);

        // Act
        var items = await client.Storage.ListContentAsync("pve", "local", StorageContent.Import, Ct);
        var task = await client.Storage.DeleteVolumeAsync("pve", "local", items[0].VolId, Ct);
        var none = await client.Storage.DeleteVolumeAsync("pve", "local", "local:iso/x.iso", Ct);

        // Assert
        items.ShouldHaveSingleItem().Size.ShouldBe(123456);
        task.ShouldNotBeNull();
        none.ShouldBeNull();
    }

    [Fact]
    public async Task Storage_config_has_path_and_content_and_a_missing_storage_is_null()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, $"{TestClient.Api}/storage/local")
            .RespondData("""{"storage":"local","type":"dir","path":"/var/lib/vz","content":"iso,vztmpl,backup,snippets","digest":"abc"}""");
        stub.Expect(HttpMethod.Get, $"{TestClient.Api}/storage/nas").RespondPve(HttpStatusCode.InternalServerError, "storage 'nas' does not exist");
        var client = TestClient.Create(stub);

        // Act
        var local = await client.Storage.GetConfigAsync("local", Ct);
        var nas = await client.Storage.GetConfigAsync("nas", Ct);

        // Assert
        local.ShouldNotBeNull().Path.ShouldBe("/var/lib/vz");
        local.ContentTypes.ShouldContain(StorageContent.Snippets);
        nas.ShouldBeNull();
    }

    [Fact]
    public async Task List_filters_by_content_and_get_finds_one()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, $"{TestClient.Api}/nodes/pve/storage?content=snippets&enabled=1")
            .RespondData("""[{"storage":"local","type":"dir","content":"snippets,iso","active":1,"enabled":1}]""");
        stub.Expect(HttpMethod.Get, $"{TestClient.Api}/nodes/pve/storage")
            .RespondData("""[{"storage":"local","type":"dir","content":"snippets,iso"},{"storage":"local-lvm","type":"lvmthin","content":"images,rootdir"}]""");
        var client = TestClient.Create(stub);

        // Act
        var snippets = await client.Storage.ListAsync("pve", StorageContent.Snippets, enabled: true, Ct);
        var lvm = await client.Storage.GetAsync("pve", "local-lvm", Ct);

        // Assert
        snippets.ShouldHaveSingleItem().Storage.ShouldBe("local");
        lvm.ShouldNotBeNull().ContentTypes.ShouldBe([StorageContent.Images, StorageContent.RootDir]);
    }

    private sealed class UnseekableStream : MemoryStream
    {
        public override bool CanSeek => false;
    }
}
