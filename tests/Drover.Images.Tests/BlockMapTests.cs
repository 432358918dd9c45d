using System.Security.Cryptography;
using Drover.Images.Upload;
using Shouldly;
using Xunit;

namespace Drover.Images.Tests;

/// <summary>The block map of sparse, zero-filled and random images: what is data, what is zero, what was read, the digests.</summary>
public sealed class BlockMapTests : IDisposable
{
    private const int Block = 64 << 10;
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("drover-blockmap-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Holes_are_zero_blocks_never_read_and_data_blocks_carry_their_digest()
    {
        // 64 blocks, all holes but block 3 (random) and blocks 40-41 (random, one write across both).
        var path = Path.Combine(_dir.FullName, "sparse.raw");
        var three = RandomNumberGenerator.GetBytes(Block);
        var forty = RandomNumberGenerator.GetBytes(2 * Block);
        await using (var file = new FileStream(path, FileMode.CreateNew))
        {
            file.SetLength(64L * Block);
            file.Position = 3L * Block;
            await file.WriteAsync(three, Ct);
            file.Position = 40L * Block;
            await file.WriteAsync(forty, Ct);
        }

        var map = await BlockMap.BuildAsync(path, Block, cancellationToken: Ct);

        map.BlockCount.ShouldBe(64);
        map.DataBlocks.ShouldBe([3L, 40L, 41L]);
        map.Digest(3).ShouldBe(SHA256.HashData(three));
        map.Digest(41).ShouldBe(SHA256.HashData(forty.AsSpan(Block)));
        map.Digest(4).ShouldBeNull();
        map.DataBytes.ShouldBe(3L * Block);
        map.ZeroBytes.ShouldBe(61L * Block);
        map.DataRuns().ShouldBe([(3L * Block, (long)Block), (40L * Block, 2L * Block)]);
        // The holes were not read: at most the blocks the data extents touch (file systems allocate in pages or more).
        map.BytesRead.ShouldBeLessThanOrEqualTo(8L * Block);
        map.Sha256.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), "holes hash as zeros");
    }

    [Fact]
    public async Task Written_zeros_are_read_but_count_as_zero_blocks()
    {
        var path = Path.Combine(_dir.FullName, "zeros.raw");
        var bytes = new byte[8 * Block];
        RandomNumberGenerator.Fill(bytes.AsSpan(5 * Block, 100));
        await File.WriteAllBytesAsync(path, bytes, Ct);

        var map = await BlockMap.BuildAsync(path, Block, cancellationToken: Ct);

        map.DataBlocks.ShouldBe([5L]);
        map.BytesRead.ShouldBe(8L * Block, "a file without holes is read whole");
        map.DataRuns().ShouldBe([(5L * Block, (long)Block)]);
    }

    [Fact]
    public async Task A_short_last_block_is_mapped_with_its_own_length()
    {
        var path = Path.Combine(_dir.FullName, "odd.raw");
        var bytes = RandomNumberGenerator.GetBytes((2 * Block) + 4096);
        await File.WriteAllBytesAsync(path, bytes, Ct);

        var map = await BlockMap.BuildAsync(path, Block, cancellationToken: Ct);

        map.BlockCount.ShouldBe(3);
        map.BlockLength(2).ShouldBe(4096);
        // Hashed as a disk holds it: zero-padded to a whole block.
        map.Digest(2).ShouldBe(SHA256.HashData([.. bytes.AsSpan(2 * Block), .. new byte[Block - 4096]]));
        map.Sha256.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(bytes)));
        map.DataRuns().ShouldBe([(0L, (long)bytes.Length)]);
        map.DataBytes.ShouldBe(bytes.Length);
    }

    [Fact]
    public async Task An_all_hole_image_has_no_data_and_reads_nothing()
    {
        var path = Path.Combine(_dir.FullName, "empty.raw");
        await using (var file = new FileStream(path, FileMode.CreateNew))
        {
            file.SetLength(1L << 30);
        }

        var map = await BlockMap.BuildAsync(path, cancellationToken: Ct);

        map.BlockCount.ShouldBe(256);
        map.DataBlocks.ShouldBeEmpty();
        map.DataRuns().ShouldBeEmpty();
        map.BytesRead.ShouldBe(0);
    }
}
