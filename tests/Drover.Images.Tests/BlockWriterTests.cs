using System.Globalization;
using System.Security.Cryptography;
using Drover.Images.Rescue;
using Drover.Images.Upload;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Images.Tests;

/// <summary>
/// Runs the rescue side of block uploads (<c>blockwrite.py</c>, as <see cref="BlockCommand"/> runs it) with bash against a
/// loop device over a sparse file (needs root, losetup and python3): full writes, digests of a base disk, deltas over
/// it, and what happens to a block that arrives changed, a stream cut short and a disk that does not hold the image.
/// </summary>
[MachineTier]
public sealed class BlockWriterTests : IAsyncLifetime
{
    private const int Block = 64 << 10;
    private const long DiskBytes = 8L << 20;
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("drover-blockwriter-");
    private string _loop = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Where the hash command keeps the disk's digests for a delta's write (this test's own directory).</summary>
    private string Kept => Path.Combine(_dir.FullName, "kept-digests");

    public async ValueTask InitializeAsync()
    {
        if (Environment.UserName != "root" || !File.Exists("/usr/sbin/losetup") || Core.Processes.ProcessRunner.Find("python3") is null)
        {
            return;
        }
        var disk = Path.Combine(_dir.FullName, "disk.raw");
        // The disk starts full of garbage, as a used server's would be.
        await File.WriteAllBytesAsync(disk, RandomNumberGenerator.GetBytes((int)DiskBytes), Ct);
        _loop = (await TestProcess.CheckAsync("losetup", "-f", "--show", disk)).Trim();
    }

    public async ValueTask DisposeAsync()
    {
        if (_loop.Length > 0)
        {
            await TestProcess.RunAsync("losetup", ["-d", _loop]);
        }
        _dir.Delete(recursive: true);
    }

    private void SkipUnlessLoopDevice()
    {
        if (_loop.Length == 0)
        {
            Assert.Skip("needs root, losetup and python3 to write a loop device");
        }
    }

    /// <summary>An image of <paramref name="blocks"/> blocks (plus <paramref name="tail"/> bytes): data where <paramref name="data"/> says, holes elsewhere.</summary>
    private async Task<string> Image(string name, int blocks, Func<int, byte[]?> data, int tail = 0)
    {
        var path = Path.Combine(_dir.FullName, name);
        await using var file = new FileStream(path, FileMode.CreateNew);
        file.SetLength(((long)blocks * Block) + tail);
        for (var i = 0; i < blocks + (tail > 0 ? 1 : 0); i++)
        {
            if (data(i) is { } bytes)
            {
                file.Position = (long)i * Block;
                await file.WriteAsync(bytes.AsMemory(0, (int)Math.Min(bytes.Length, file.Length - file.Position)), Ct);
            }
        }
        return path;
    }

    private static byte[] Seeded(int seed)
    {
        var bytes = new byte[Block];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private async Task<(int Exit, string Stdout, string Stderr)> Send(BlockPlan plan, string path, Func<byte[], byte[]>? tamper = null, bool wholeSha256 = false)
    {
        var stream = Path.Combine(_dir.FullName, "stream.bin");
        await using (var frames = plan.Open(path, wholeSha256: wholeSha256))
        {
            using var copy = new MemoryStream();
            await frames.CopyToAsync(copy, Ct);
            await File.WriteAllBytesAsync(stream, (tamper ?? (b => b))(copy.ToArray()), Ct);
        }
        return await TestProcess.RunAsync("bash", ["-c", BlockCommand.Write(zstd: false, _loop, kept: Kept)], stream);
    }

    private async Task<IReadOnlyList<string>> HashDisk(long count)
    {
        var (exit, stdout, stderr) = await TestProcess.RunAsync("bash", ["-c", BlockCommand.Hash(count, Block, _loop, keep: Kept)]);
        exit.ShouldBe(0, stderr);
        return [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("drover:", StringComparison.Ordinal))];
    }

    private async Task DiskShouldHold(string image)
    {
        var length = new FileInfo(image).Length.ToString(CultureInfo.InvariantCulture);
        var (exit, _, stderr) = await TestProcess.RunAsync("cmp", ["-n", length, image, _loop]);
        exit.ShouldBe(0, $"the disk differs from {image}: {stderr}");
    }

    [Fact]
    public async Task A_full_write_sends_only_data_blocks_and_the_disk_reads_back_as_the_image()
    {
        SkipUnlessLoopDevice();
        var image = await Image("v1.raw", 32, i => i is 1 or 2 or 7 or 20 ? Seeded(i) : null);
        var map = await BlockMap.BuildAsync(image, Block, cancellationToken: Ct);

        var (exit, stdout, stderr) = await Send(BlockPlan.Full(map), image);

        exit.ShouldBe(0, stderr);
        var report = BlockWriteReport.Parse(stdout);
        report.Verified.ShouldBe("blocks");
        report.DigestList.ShouldBe(map.LinesSha256, "the disk was checked against this map's digests");
        report.Sha256.ShouldBeNull("no whole-disk hash unless asked for");
        report.Sent.ShouldBe(4L * Block);
        report.Bytes.ShouldBe(32L * Block);
        report.Discarded.ShouldBe(true, "a loop device discards (punches holes)");
        report.Direct.ShouldBe(true, "a loop device takes direct I/O");
        report.Rezeroed.ShouldBe(0, "a loop device's discard zeroes");
        await DiskShouldHold(image);
    }

    [Fact]
    public async Task Asked_for_it_the_disk_is_also_hashed_whole_and_matches_the_images_sha256()
    {
        SkipUnlessLoopDevice();
        var image = await Image("odd.raw", 9, i => i is 0 or 4 or 9 ? Seeded(i) : null, tail: 3000);
        var map = await BlockMap.BuildAsync(image, Block, cancellationToken: Ct);

        var (exit, stdout, stderr) = await Send(BlockPlan.Full(map), image, wholeSha256: true);

        exit.ShouldBe(0, stderr);
        var report = BlockWriteReport.Parse(stdout);
        report.Verified.ShouldBe("sha256");
        report.Sha256.ShouldBe(map.Sha256);
        await DiskShouldHold(image);
    }

    [Fact]
    public async Task The_disks_block_digests_are_the_images_own_lines_short_last_block_included()
    {
        SkipUnlessLoopDevice();
        var image = await Image("odd.raw", 5, i => i is 0 or 3 or 5 ? Seeded(i) : null, tail: 1000);
        var map = await BlockMap.BuildAsync(image, Block, cancellationToken: Ct);
        (await Send(BlockPlan.Full(map), image)).Exit.ShouldBe(0);

        var lines = await HashDisk(map.BlockCount);

        lines.ShouldBe(map.Lines());
        BlockMap.RecordOf(lines, Block).ShouldBe(map.Record);
    }

    [Fact]
    public async Task A_delta_sends_only_changed_blocks_zeroes_dropped_ones_and_the_disk_equals_the_new_image()
    {
        SkipUnlessLoopDevice();
        var v1 = await Image("v1.raw", 40, i => i % 3 == 0 ? Seeded(i) : null);
        var map1 = await BlockMap.BuildAsync(v1, Block, cancellationToken: Ct);
        (await Send(BlockPlan.Full(map1), v1)).Exit.ShouldBe(0);
        // v2: blocks 3 and 4 change (4 was zero), 6 becomes zero, 9 is the same, and it is 2 blocks longer (data in 41).
        var v2 = await Image("v2.raw", 42, i => i switch
        {
            3 or 4 or 41 => Seeded(1000 + i),
            6 => null,
            _ => i % 3 == 0 ? Seeded(i) : null,
        });
        var map2 = await BlockMap.BuildAsync(v2, Block, cancellationToken: Ct);

        var plan = BlockPlan.Against(map2, await HashDisk(map2.BlockCount));
        var (exit, stdout, stderr) = await Send(plan, v2);

        exit.ShouldBe(0, stderr);
        plan.Frames.ShouldBe([new BlockFrame('D', 3L * Block, 2L * Block), new BlockFrame('Z', 6L * Block, Block), new BlockFrame('D', 41L * Block, Block)]);
        var report = BlockWriteReport.Parse(stdout);
        report.Sent.ShouldBe(3L * Block);
        report.Zeroed.ShouldBe(Block);
        report.DigestList.ShouldBe(map2.LinesSha256);
        report.Trusted.ShouldBe(38, "the 38 blocks left alone were just hashed off the disk: not read back again");
        await DiskShouldHold(v2);
    }

    [Fact]
    public async Task A_delta_sends_only_the_pieces_of_a_block_that_changed_and_checks_the_block_on_the_disk()
    {
        SkipUnlessLoopDevice();
        const int piece = 16 << 10;
        var v1 = await Image("v1.raw", 8, i => i < 6 ? Seeded(i) : null);
        var map1 = await BlockMap.BuildAsync(v1, Block, cancellationToken: Ct);
        (await Send(BlockPlan.Full(map1), v1)).Exit.ShouldBe(0);
        // v2: 100 bytes change in the second piece of block 3, and 10 bytes across the boundary of pieces 2 and 3 of block 5.
        var v2 = Path.Combine(_dir.FullName, "v2.raw");
        File.Copy(v1, v2);
        await using (var file = new FileStream(v2, FileMode.Open))
        {
            file.Position = (3L * Block) + piece + 500;
            await file.WriteAsync(RandomNumberGenerator.GetBytes(100), Ct);
            file.Position = (5L * Block) + (3 * piece) - 5;
            await file.WriteAsync(RandomNumberGenerator.GetBytes(10), Ct);
        }
        var map2 = await BlockMap.BuildAsync(v2, Block, cancellationToken: Ct);
        var lines = await HashDisk(map2.BlockCount);
        var (exit, stdout, stderr) = await TestProcess.RunAsync("bash", ["-c", $"echo 3 5 | {BlockCommand.Pieces(Block, piece, _loop)}"]);
        exit.ShouldBe(0, stderr);
        var theirs = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).ToDictionary(p => long.Parse(p[0], CultureInfo.InvariantCulture), p => p[1]);
        var pieces = new Dictionary<long, IReadOnlyList<(long Offset, long Length)>>
        {
            [3] = BlockPieces.Differences(BlockPieces.Of(v2, 3, Block, piece), theirs[3], piece),
            [5] = BlockPieces.Differences(BlockPieces.Of(v2, 5, Block, piece), theirs[5], piece),
        };

        var plan = BlockPlan.Against(map2, lines, pieces, piece);
        var sent = await Send(plan, v2);

        pieces[3].ShouldBe([((long)piece, (long)piece)]);
        pieces[5].ShouldBe([(2L * piece, 2L * piece)]);
        plan.Frames.ShouldBe([new BlockFrame('D', (3L * Block) + piece, piece), new BlockFrame('D', (5L * Block) + (2 * piece), 2 * piece)]);
        sent.Exit.ShouldBe(0, sent.Stderr);
        BlockWriteReport.Parse(sent.Stdout).Sent.ShouldBe(3L * piece);
        await DiskShouldHold(v2);
        // A piece that does not belong there (block 3's piece sent in place of block 5's) is caught by block 5's digest.
        var wrong = BlockPlan.Against(map2, lines, new Dictionary<long, IReadOnlyList<(long Offset, long Length)>> { [3] = pieces[3], [5] = [(0L, (long)piece)] }, piece);
        await TestProcess.RunAsync("bash", ["-c", $"dd if={v1} of={_loop} bs=64K conv=notrunc status=none"]);
        var refused = await Send(wrong, v2);
        refused.Exit.ShouldBe(RescueCommand.ExitDigestMismatch, refused.Stderr);
        refused.Stderr.ShouldContain("block 5 (bytes 327680-393216) was written in pieces and reads back with sha256");
        refused.Stderr.ShouldContain("or a piece that was not sent differs on the base disk");
    }

    [Fact]
    public async Task A_delta_of_an_image_of_odd_length_patches_partial_sectors_and_leaves_the_rest_of_its_last_block_zero()
    {
        SkipUnlessLoopDevice();
        var v1 = await Image("v1.raw", 6, i => i is 1 or 5 or 6 ? Seeded(i) : null, tail: 5000);
        var map1 = await BlockMap.BuildAsync(v1, Block, cancellationToken: Ct);
        (await Send(BlockPlan.Full(map1), v1)).Exit.ShouldBe(0);
        // v2 is shorter by 1,300 bytes (no longer a whole sector), its last block changed, block 5 dropped (zeroed).
        var v2 = await Image("v2.raw", 6, i => i is 1 or 6 ? Seeded(i + 70) : null, tail: 3700);
        var map2 = await BlockMap.BuildAsync(v2, Block, cancellationToken: Ct);

        var plan = BlockPlan.Against(map2, await HashDisk(map2.BlockCount));
        var (exit, stdout, stderr) = await Send(plan, v2);

        exit.ShouldBe(0, stderr);
        plan.Frames.ShouldContain(new BlockFrame('Z', 5L * Block, Block));
        BlockWriteReport.Parse(stdout).DigestList.ShouldBe(map2.LinesSha256);
        await DiskShouldHold(v2);
        var length = new FileInfo(v2).Length;
        var rest = new byte[Block - 3700];
        await using (var disk = new FileStream(_loop, FileMode.Open, FileAccess.Read))
        {
            disk.Position = length;
            await disk.ReadExactlyAsync(rest, Ct);
        }
        rest.ShouldAllBe(b => b == 0, "past the image's end its last block is zeros, as its digest has it");
    }

    [Fact]
    public async Task A_block_that_arrives_changed_is_refused_by_its_digest_naming_it()
    {
        SkipUnlessLoopDevice();
        var image = await Image("v1.raw", 8, i => i is 2 or 5 ? Seeded(i) : null);
        var map = await BlockMap.BuildAsync(image, Block, cancellationToken: Ct);
        var plan = BlockPlan.Full(map);
        var dataStart = plan.Header().Length + (2 * BlockPlan.FrameHeaderLength) + Block + 10;

        var (exit, _, stderr) = await Send(plan, image, bytes => { bytes[dataStart] ^= 0xff; return bytes; });

        exit.ShouldBe(RescueCommand.ExitDigestMismatch);
        stderr.ShouldContain("block 5 ");
    }

    [Fact]
    public async Task A_stream_cut_short_fails_as_malformed()
    {
        SkipUnlessLoopDevice();
        var image = await Image("v1.raw", 8, i => i < 6 ? Seeded(i) : null);
        var map = await BlockMap.BuildAsync(image, Block, cancellationToken: Ct);

        var (exit, _, stderr) = await Send(BlockPlan.Full(map), image, bytes => bytes[..(bytes.Length / 2)]);

        exit.ShouldBe(BlockCommand.ExitMalformed);
        stderr.ShouldContain("stream ended");
    }

    [Fact]
    public async Task A_delta_planned_against_digests_the_disk_does_not_hold_fails_the_read_back_naming_the_block()
    {
        SkipUnlessLoopDevice();
        var v1 = await Image("v1.raw", 16, i => i < 8 ? Seeded(i) : null);
        var map1 = await BlockMap.BuildAsync(v1, Block, cancellationToken: Ct);
        (await Send(BlockPlan.Full(map1), v1)).Exit.ShouldBe(0);
        var v2 = await Image("v2.raw", 16, i => i < 8 ? Seeded(i + (i == 2 ? 500 : 0)) : null);
        var map2 = await BlockMap.BuildAsync(v2, Block, cancellationToken: Ct);
        // A plan made from a lying list (block 2 claimed already equal): block 2 is not sent, the disk keeps v1's. The
        // digests the disk really has are kept, but they are not the plan's: nothing is taken on trust.
        await HashDisk(map2.BlockCount);
        var lies = map2.Lines().ToArray();

        var (exit, _, stderr) = await Send(BlockPlan.Against(map2, lies), v2);

        exit.ShouldBe(RescueCommand.ExitVerifyFailed);
        stderr.ShouldContain("block 2 (bytes 131072-196608) was not sent");
    }
}
