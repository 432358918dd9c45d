using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.Images.Upload;
using Drover.Testing;
using Microsoft.Extensions.Logging;
using Shouldly;
using Xunit;

namespace Drover.Images.Tests;

/// <summary>
/// Delta uploads on the local cloud with real rescue systems, SSH and blockwrite.py: only the blocks that differ travel,
/// the snapshot holds the new image byte for byte, a base that lies falls back to a full upload, and a base of another
/// architecture or with a larger disk than the temporary server's is refused or passed over.
/// </summary>
[MachineTier]
public sealed class DeltaUploadTests(MachineCloudFixture fixture) : IClassFixture<MachineCloudFixture>
{
    private const int Block = BlockMap.DefaultBlockSize;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>v1: 10 blocks, 0-5 random. v2: block 2 changed, block 4 zero, one more block of data (11 blocks).</summary>
    private async Task<(string V1, string V2)> VersionsAsync(string label)
    {
        var v1 = Path.Combine(fixture.Dir.FullName, $"{label}-v1.raw");
        var v2 = Path.Combine(fixture.Dir.FullName, $"{label}-v2.raw");
        await WriteAsync(v1, 10, i => i < 6 ? Seeded(i) : null);
        await WriteAsync(v2, 11, i => i switch { 2 => Seeded(200), 4 => null, 10 => Seeded(210), < 6 => Seeded(i), _ => null });
        return (v1, v2);
    }

    private static byte[] Seeded(int seed)
    {
        var bytes = new byte[Block];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task WriteAsync(string path, int blocks, Func<int, byte[]?> data)
    {
        await using var file = new FileStream(path, FileMode.Create);
        file.SetLength((long)blocks * Block);
        for (var i = 0; i < blocks; i++)
        {
            if (data(i) is { } bytes)
            {
                file.Position = (long)i * Block;
                await file.WriteAsync(bytes, Ct);
            }
        }
    }

    private static UploadOptions Options(string path, string label, string? baseImage = null) => new()
    {
        ImagePath = path,
        Architecture = Architecture.X86,
        ImageName = $"delta-{label}",
        Base = baseImage,
        Labels = new Dictionary<string, string> { ["test"] = label },
        SshTimeout = TimeSpan.FromSeconds(30),
        AllowUnscanned = true,
    };

    private async Task SnapshotShouldHoldAsync(Image snapshot, string image)
    {
        var length = new FileInfo(image).Length;
        await using var disk = File.OpenRead(await fixture.SnapshotDiskAsync(snapshot.Id));
        var bytes = new byte[length];
        await disk.ReadExactlyAsync(bytes, Ct);
        Convert.ToHexStringLower(SHA256.HashData(bytes)).ShouldBe(UploadTests.Sha256(image), $"snapshot {snapshot.Id} does not hold {image}");
    }

    private async Task CleanUpAsync(HcloudClient client, string label)
    {
        foreach (var image in await client.Images.ListAsync(new ImageListOptions { Type = [ImageType.Snapshot], LabelSelector = Hcloud.Labels.LabelSelector.Parse($"test={label}") }, Ct).ToListAsync(Ct))
        {
            await client.Images.DeleteAsync(image.Id, Ct);
        }
        (await fixture.LeftoversAsync(client, label)).ShouldBeNull();
    }

    [Fact]
    public async Task Auto_finds_the_previous_version_sends_only_the_blocks_that_differ_and_the_snapshot_holds_the_new_image()
    {
        fixture.SkipUnlessMachines();
        var client = fixture.Client();
        var label = UploadTests.Label();
        var (v1, v2) = await VersionsAsync(label);
        var uploader = new ImageUploader(client, new ListLogger());
        var first = await uploader.UploadAsync(Options(v1, label), null, Ct);
        first.Snapshot.Labels[BlockLabels.Blocks].ShouldBe((await BlockMap.BuildAsync(v1, cancellationToken: Ct)).Record);
        var progress = new ConcurrentQueue<UploadProgress>();

        var second = await uploader.UploadAsync(Options(v2, label, "auto"), new SyncProgress(progress.Enqueue), Ct);

        second.Snapshot.Id.ShouldNotBe(first.Snapshot.Id);
        second.Snapshot.Labels[BlockLabels.Base].ShouldBe(first.Snapshot.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        second.Snapshot.Labels[BlockLabels.Image].ShouldBe($"delta-{label}");
        var steps = progress.Select(p => p.Step).Distinct().ToList();
        steps.ShouldContain("hash base disk");
        var hashed = progress.Where(p => p.Step == "hash base disk").ToList();
        hashed.Max(p => p.Bytes).ShouldBe(11L * Block, "the base disk's 11 blocks (as many as v2 has) were hashed, line by line");
        hashed.Last().TotalBytes.ShouldBe(11L * Block);
        var write = progress.First(p => p.Step == "write image");
        write.TotalBytes.ShouldBe(2L * Block, "block 2 (changed) and block 10 (new) travel; block 4 is zeroed there");
        write.SkippedBytes.ShouldBe(9L * Block);
        await SnapshotShouldHoldAsync(second.Snapshot, v2);
        await CleanUpAsync(client, label);
    }

    [Fact]
    public async Task A_base_whose_disk_changed_behind_drovers_back_is_detected_and_the_upload_falls_back_to_full()
    {
        fixture.SkipUnlessMachines();
        var client = fixture.Client();
        var label = UploadTests.Label();
        var (v1, v2) = await VersionsAsync(label);
        var logger = new ListLogger();
        var uploader = new ImageUploader(client, logger);
        var first = await uploader.UploadAsync(Options(v1, label), null, Ct);
        // Someone changes the stored snapshot's disk: block 1 and an unsent block (7) no longer hold what was recorded.
        await using (var disk = new FileStream(await fixture.SnapshotDiskAsync(first.Snapshot.Id), FileMode.Open, FileAccess.Write))
        {
            disk.Position = Block + 100;
            await disk.WriteAsync(RandomNumberGenerator.GetBytes(4096), Ct);
            disk.Position = (7L * Block) + 100;
            await disk.WriteAsync(RandomNumberGenerator.GetBytes(4096), Ct);
        }
        var progress = new ConcurrentQueue<UploadProgress>();

        var second = await uploader.UploadAsync(Options(v2, label, first.Snapshot.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), new SyncProgress(progress.Enqueue), Ct);

        logger.Messages.ShouldContain(m => m.Contains($"base snapshot {first.Snapshot.Id} does not hold what Drover recorded", StringComparison.Ordinal) && m.Contains("uploading in full", StringComparison.Ordinal));
        progress.First(p => p.Step == "write image").TotalBytes.ShouldBe(6L * Block, "every data block of v2 travels (0-3, 5, 10)");
        second.Snapshot.Labels.ContainsKey(BlockLabels.Base).ShouldBeFalse();
        await SnapshotShouldHoldAsync(second.Snapshot, v2);
        await CleanUpAsync(client, label);
    }

    [Fact]
    public async Task A_base_of_another_architecture_or_a_larger_disk_is_refused_before_anything_is_created_and_auto_passes_over_it()
    {
        fixture.SkipUnlessMachines();
        var client = fixture.Client();
        var label = UploadTests.Label();
        var (_, v2) = await VersionsAsync(label);
        var blocks = (await BlockMap.BuildAsync(v2, cancellationToken: Ct)).Record;
        // Both would be perfect bases but for their architecture or disk: an arm snapshot, and an x86 one of 80 GB (a cx23 has 40).
        var seeded = new List<Image>();
        foreach (var (architecture, kind, disk) in new[] { ("arm", "arm", 40), ("x86", "large", 80) })
        {
            await fixture.Cloud.ControlAsync(HttpMethod.Post, "seed/snapshots", JsonSerializer.Serialize(new
            {
                count = 1,
                architecture,
                disk_size = disk,
                labels = new Dictionary<string, string> { ["test"] = label, ["kind"] = kind, [BlockLabels.Image] = $"delta-{label}", [BlockLabels.Blocks] = blocks },
            }));
            seeded.Add(await client.Images.ListAsync(new ImageListOptions { LabelSelector = Hcloud.Labels.LabelSelector.Parse($"test={label},kind={kind}") }, Ct).SingleAsync(Ct));
        }
        var (arm, large) = (seeded[0], seeded[1]);
        large.DiskSize.ShouldBe(80);
        var uploader = new ImageUploader(client, new ListLogger());

        var refused = await Should.ThrowAsync<UploadException>(() => uploader.UploadAsync(Options(v2, label, arm.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), null, Ct));
        refused.Step.ShouldBe("input");
        refused.Message.ShouldContain($"base snapshot {arm.Id} is arm, the image is x86");
        var tooLarge = await Should.ThrowAsync<UploadException>(() => uploader.UploadAsync(Options(v2, label, large.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), null, Ct));
        tooLarge.Step.ShouldBe("input");
        tooLarge.Message.ShouldContain($"base snapshot {large.Id} needs a 80 GB disk; a cx23 has 40 GB");
        (await client.Servers.ListAsync(new ServerListOptions(), Ct).ToListAsync(Ct)).ShouldBeEmpty("nothing is created for a refused base");
        (await client.SshKeys.ListAsync(new SshKeyListOptions(), Ct).ToListAsync(Ct)).ShouldBeEmpty("nothing is created for a refused base");

        var full = await uploader.UploadAsync(Options(v2, label, "auto"), null, Ct);

        full.Snapshot.Labels.ContainsKey(BlockLabels.Base).ShouldBeFalse();
        await SnapshotShouldHoldAsync(full.Snapshot, v2);
        await CleanUpAsync(client, label);
    }

    private sealed class SyncProgress(Action<UploadProgress> report) : IProgress<UploadProgress>
    {
        public void Report(UploadProgress value) => report(value);
    }

    /// <summary>Keeps every formatted log message.</summary>
    internal sealed class ListLogger : ILogger<ImageUploader>
    {
        private readonly ConcurrentQueue<string> _messages = new();

        public IReadOnlyCollection<string> Messages => _messages;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => _messages.Enqueue(formatter(state, exception));
    }
}
