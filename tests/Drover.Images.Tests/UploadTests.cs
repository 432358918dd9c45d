using System.Globalization;
using Drover.Hcloud.Contracts;
using Drover.Images.Upload;
using Drover.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Shouldly;
using Xunit;

namespace Drover.Images.Tests;

/// <summary>
/// Full uploads through the local cloud's real rescue systems (sshd in a namespace over a loop device), each followed
/// by reading the snapshot's disk and comparing it with the source image byte for byte.
/// </summary>
[MachineTier]
public sealed class UploadTests(MachineCloudFixture fixture) : IClassFixture<MachineCloudFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, ImageCompression, ImageFormat> Variants => new()
    {
        { "image.raw", "true", ImageCompression.Auto, ImageFormat.Raw },
        { "image.raw.gz", "gzip -c {raw} > {out}", ImageCompression.Auto, ImageFormat.Raw },
        { "image.raw.bz2", "bzip2 -c {raw} > {out}", ImageCompression.Auto, ImageFormat.Raw },
        { "image.raw.xz", "xz -T0 -c {raw} > {out}", ImageCompression.Auto, ImageFormat.Raw },
        { "image.raw.zst", "zstd -q -c {raw} > {out}", ImageCompression.Auto, ImageFormat.Raw },
        { "image.qcow2", "qemu-img convert -f raw -O qcow2 {raw} {out}", ImageCompression.Auto, ImageFormat.Qcow2 },
        { "image.qcow2.zst", "qemu-img convert -f raw -O qcow2 {raw} {out}.tmp && zstd -q --rm {out}.tmp -o {out}", ImageCompression.Auto, ImageFormat.Qcow2 },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task An_image_file_becomes_a_snapshot_holding_exactly_its_bytes(string name, string make, ImageCompression compression, ImageFormat format)
    {
        fixture.SkipUnlessMachines();
        var file = name == "image.raw" ? fixture.Raw : await fixture.VariantAsync(name, make);
        var client = fixture.Client();
        var label = Label();

        var result = await Uploader(client).UploadAsync(new UploadOptions
        {
            AllowUnscanned = true,
            ImagePath = file,
            Compression = compression,
            Format = format,
            Architecture = Architecture.X86,
            Labels = new Dictionary<string, string> { ["test"] = label, ["os"] = "debian" },
        }, null, Ct);

        await SnapshotShouldHoldTheImage(result);
        result.Snapshot.Labels["drover/digest"].ShouldBe(Sha256(file)[..63]);
        result.Skipped.ShouldBeFalse();
        (await fixture.LeftoversAsync(client, "none")).ShouldBeNull();
        await client.Images.DeleteAsync(result.Snapshot.Id, Ct);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task An_image_url_is_downloaded_by_the_rescue_system(string name, string make, ImageCompression compression, ImageFormat format)
    {
        fixture.SkipUnlessMachines();
        var file = name == "image.raw" ? fixture.Raw : await fixture.VariantAsync(name, make);
        var url = await fixture.ServeAsync(file);
        var client = fixture.Client();

        var result = await Uploader(client).UploadAsync(new UploadOptions
        {
            AllowUnscanned = true,
            ImageUrl = url,
            Compression = compression == ImageCompression.Auto ? ImageMagic.CompressionFromName(name) : compression,
            Format = format,
            Architecture = Architecture.X86,
            Labels = new Dictionary<string, string> { ["test"] = Label() },
        }, null, Ct);

        await SnapshotShouldHoldTheImage(result);
        result.Sha256.ShouldBe(Sha256(file));
        (await fixture.LeftoversAsync(client, "none")).ShouldBeNull();
        await client.Images.DeleteAsync(result.Snapshot.Id, Ct);
    }

    [Fact]
    public async Task A_second_identical_upload_is_skipped_and_force_uploads_again()
    {
        fixture.SkipUnlessMachines();
        var client = fixture.Client();
        var file = await fixture.VariantAsync("image.raw.zst", "zstd -q -c {raw} > {out}");
        var options = new UploadOptions { AllowUnscanned = true, ImagePath = file, Architecture = Architecture.X86, Labels = new Dictionary<string, string> { ["test"] = Label() } };

        var first = await Uploader(client).UploadAsync(options, null, Ct);
        var second = await Uploader(client).UploadAsync(options, null, Ct);
        var forced = await Uploader(client).UploadAsync(options with { Force = true }, null, Ct);

        second.Skipped.ShouldBeTrue();
        second.Snapshot.Id.ShouldBe(first.Snapshot.Id);
        forced.Skipped.ShouldBeFalse();
        forced.Snapshot.Id.ShouldNotBe(first.Snapshot.Id);
        await client.Images.DeleteAsync(first.Snapshot.Id, Ct);
        await client.Images.DeleteAsync(forced.Snapshot.Id, Ct);
    }

    [Fact]
    public async Task Image_write_puts_the_image_on_an_existing_servers_disk_and_boots_it()
    {
        fixture.SkipUnlessMachines();
        var client = fixture.Client();
        var created = await client.Servers.CreateAsync(new CreateServerRequest { Name = $"target-{Label()}", ServerType = "cx23", Image = "debian-12" }, Ct);
        await client.Actions.WaitAsync([created.Action, .. created.NextActions], null, Ct);

        await Uploader(client).WriteToServerAsync(created.Server.Id, new UploadOptions { AllowUnscanned = true, ImagePath = await fixture.VariantAsync("image.raw.xz", "xz -T0 -c {raw} > {out}") }, null, Ct);

        var server = await client.Servers.GetAsync(created.Server.Id, Ct);
        server!.Status.ShouldBe(ServerStatus.Running);
        server.RescueEnabled.ShouldBeFalse();
        var disk = await DiskOfServerAsync(created.Server.Id);
        (await TestProcess.RunAsync("cmp", ["-n", MachineCloudFixture.ImageBytes.ToString(CultureInfo.InvariantCulture), fixture.Raw, disk])).Exit.ShouldBe(0);
        (await client.SshKeys.ListAsync(cancellationToken: Ct).ToListAsync(Ct)).ShouldBeEmpty();
        await client.Actions.WaitAsync([await client.Servers.DeleteAsync(created.Server.Id, Ct)], null, Ct);
    }

    private async Task<string> DiskOfServerAsync(long id)
    {
        using var json = System.Text.Json.JsonDocument.Parse(await (await fixture.Cloud.ControlAsync(HttpMethod.Get, $"servers/{id}")).Content.ReadAsStringAsync(Ct));
        return json.RootElement.GetProperty("disk_path").GetString()!;
    }

    private async Task SnapshotShouldHoldTheImage(UploadResult result)
    {
        result.Snapshot.Status.ShouldBe(ImageStatus.Available);
        result.Snapshot.Type.ShouldBe(ImageType.Snapshot);
        result.Snapshot.Architecture.ShouldBe(Architecture.X86);
        var disk = await fixture.SnapshotDiskAsync(result.Snapshot.Id);
        var (exit, _, stderr) = await TestProcess.RunAsync("cmp", ["-n", MachineCloudFixture.ImageBytes.ToString(CultureInfo.InvariantCulture), fixture.Raw, disk]);
        exit.ShouldBe(0, $"the snapshot's disk differs from the source image: {stderr}");
        // Past the image the disk reads as zeros (the disk was discarded, the write was sparse).
        var tail = await TestProcess.CheckAsync("bash", "-c", $"dd if={disk} bs=1M skip=24 count=64 status=none | tr -d '\\0' | wc -c");
        tail.Trim().ShouldBe("0");
    }

    internal static ImageUploader Uploader(Drover.Hcloud.HcloudClient client)
        => new(client, NullLogger<ImageUploader>.Instance);

    internal static string Label() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..12];

    internal static string Sha256(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(f));
    }
}
