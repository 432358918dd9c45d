using System.Security.Cryptography;
using Drover.Core.Files;

namespace Drover.Images.Upload;

/// <summary>
/// A raw image's block map, as bmaptool keeps one: the image in fixed-size blocks (4 MiB), each either zero (inside a
/// hole of the sparse file, never read, or read and found all zero) or data, with the SHA-256 of its bytes. An upload
/// sends only the data blocks (<see cref="DataRuns"/>) and the rescue side checks each against its digest; a delta
/// upload compares these digests with the base disk's.
/// </summary>
public sealed class BlockMap
{
    /// <summary>4 MiB: large enough for sequential I/O, small enough that a changed package touches few blocks.</summary>
    public const int DefaultBlockSize = 4 << 20;

    private BlockMap(long length, int blockSize, SortedDictionary<long, byte[]> data, long bytesRead, string sha256)
    {
        Sha256 = sha256;
        Length = length;
        BlockSize = blockSize;
        _data = data;
        BytesRead = bytesRead;
    }

    private readonly SortedDictionary<long, byte[]> _data;

    /// <summary>The image's size in bytes.</summary>
    public long Length { get; }

    public int BlockSize { get; }

    /// <summary>How many blocks the image has (the last may be short).</summary>
    public long BlockCount => (Length + BlockSize - 1) / BlockSize;

    /// <summary>The data blocks' indexes, in order.</summary>
    public IEnumerable<long> DataBlocks => _data.Keys;

    /// <summary>Bytes in data blocks (what an upload sends).</summary>
    public long DataBytes => _data.Keys.Sum(BlockLength);

    /// <summary>Bytes in zero blocks (never sent).</summary>
    public long ZeroBytes => Length - DataBytes;

    /// <summary>Bytes the map read to be made: the data extents' blocks, never the holes between them.</summary>
    public long BytesRead { get; }

    /// <summary>The SHA-256 of data block <paramref name="index"/> (a short last block zero-padded), or null for a zero block.</summary>
    public byte[]? Digest(long index) => _data.TryGetValue(index, out var digest) ? digest : null;

    /// <summary>The length of block <paramref name="index"/> (the last one may be short).</summary>
    public long BlockLength(long index) => Math.Min(BlockSize, Length - (index * BlockSize));

    /// <summary>Consecutive data blocks merged into (offset, length) runs: what is read and sent.</summary>
    public IEnumerable<(long Offset, long Length)> DataRuns()
    {
        long? start = null;
        var next = 0L;
        foreach (var index in _data.Keys)
        {
            if (start is { } s && index != next)
            {
                yield return (s * BlockSize, (next * BlockSize) - (s * BlockSize));
                start = null;
            }
            start ??= index;
            next = index + 1;
        }
        if (start is { } last)
        {
            yield return (last * BlockSize, Math.Min(next * BlockSize, Length) - (last * BlockSize));
        }
    }

    /// <summary>The SHA-256 of the whole image (holes hashed as the zeros they read as), lowercase hex.</summary>
    public string Sha256 { get; }

    /// <summary>Block <paramref name="index"/> as the rescue side's <c>hash</c> prints it: the digest in hex, or <c>z</c>.</summary>
    public string Line(long index) => Digest(index) is { } d ? Convert.ToHexStringLower(d) : "z";

    /// <summary>Every block's <see cref="Line"/>, in order.</summary>
    public IReadOnlyList<string> Lines() => [.. Enumerable.Range(0, checked((int)BlockCount)).Select(i => Line(i))];

    /// <summary>
    /// The SHA-256 (lowercase hex) of <see cref="Lines"/> joined by newlines: the rescue side reports it for the digest
    /// list it checked the disk against, so the sender knows that list was this map's.
    /// </summary>
    public string LinesSha256 => ListSha256(Lines());

    /// <summary>The SHA-256 (lowercase hex) of digest lines joined by newlines, as <c>blockwrite.py</c> computes it.</summary>
    public static string ListSha256(IEnumerable<string> lines)
        => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(string.Join('\n', lines))));

    /// <summary>The record of this map Drover keeps on the snapshot (label <c>drover/blocks</c>): see <see cref="RecordOf"/>.</summary>
    public string Record => RecordOf(Lines(), BlockSize);

    /// <summary>
    /// The record of a block list, at most 63 characters (a label value): <c>v1.COUNT.HEX</c>, where HEX is the start of
    /// the SHA-256 of the lines. A disk whose blocks hash to the same record holds the same image.
    /// </summary>
    public static string RecordOf(IReadOnlyList<string> lines, int blockSize = DefaultBlockSize)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var text = $"drover-blocks v1 {blockSize}\n" + string.Join("\n", lines);
        var prefix = $"v1.{lines.Count}.";
        var hex = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(text)));
        return prefix + hex[..(Hcloud.Labels.LabelValidation.MaxNameLength - prefix.Length)];
    }

    /// <summary>How many blocks a record covers, or null when <paramref name="record"/> is not one.</summary>
    public static long? RecordBlockCount(string? record)
    {
        var parts = record?.Split('.');
        return parts is ["v1", var count, { Length: > 0 }] && long.TryParse(count, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    /// <summary>
    /// Maps <paramref name="path"/> in one pass: only the blocks its data extents touch are read (a hole is zero by
    /// definition); each is hashed, or counted zero when all its bytes are; the whole image's SHA-256 comes from the
    /// same pass. A short last block is hashed zero-padded to the block size, as a disk holds it. <paramref name="progress"/>
    /// hears the bytes mapped (holes included).
    /// </summary>
    public static async Task<BlockMap> BuildAsync(string path, int blockSize = DefaultBlockSize, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 4096);
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan | FileOptions.Asynchronous);
        var length = RandomAccess.GetLength(handle);
        var touched = new HashSet<long>();
        foreach (var (start, end) in SparseExtents.DataExtents(handle, length))
        {
            for (var index = start / blockSize; index * blockSize < end; index++)
            {
                touched.Add(index);
            }
        }
        var data = new SortedDictionary<long, byte[]>();
        var buffer = new byte[blockSize];
        var zeros = new byte[blockSize];
        using var whole = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var one = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long read = 0;
        var count = (length + blockSize - 1) / blockSize;
        for (long index = 0; index < count; index++)
        {
            var want = (int)Math.Min(blockSize, length - (index * blockSize));
            if (!touched.Contains(index))
            {
                whole.AppendData(zeros, 0, want);
                progress?.Report((index * blockSize) + want);
                continue;
            }
            var got = 0;
            while (got < want)
            {
                var n = await RandomAccess.ReadAsync(handle, buffer.AsMemory(got, want - got), (index * blockSize) + got, cancellationToken);
                if (n == 0)
                {
                    throw new IOException($"{path} ended at {(index * blockSize) + got} bytes while being mapped; it is {length} bytes long (did it change?)");
                }
                got += n;
            }
            read += want;
            whole.AppendData(buffer, 0, want);
            progress?.Report((index * blockSize) + want);
            var block = buffer.AsSpan(0, want);
            if (block.IndexOfAnyExcept((byte)0) >= 0)
            {
                one.AppendData(block);
                one.AppendData(zeros, 0, blockSize - want);
                data[index] = one.GetHashAndReset();
            }
        }
        if (RandomAccess.GetLength(handle) != length)
        {
            throw new IOException($"{path} changed size while being mapped ({length} bytes, now {RandomAccess.GetLength(handle)})");
        }
        return new BlockMap(length, blockSize, data, read, Convert.ToHexStringLower(whole.GetHashAndReset()));
    }
}
