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

    private BlockMap(long length, int blockSize, SortedDictionary<long, byte[]> data, long bytesRead)
    {
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

    /// <summary>The SHA-256 of data block <paramref name="index"/>, or null for a zero block.</summary>
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

    /// <summary>
    /// Maps <paramref name="path"/>: only the blocks its data extents touch are read (a hole is zero by definition);
    /// each is hashed, or counted zero when all its bytes are. <paramref name="progress"/> hears the bytes read.
    /// </summary>
    public static async Task<BlockMap> BuildAsync(string path, int blockSize = DefaultBlockSize, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 4096);
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan | FileOptions.Asynchronous);
        var length = RandomAccess.GetLength(handle);
        var touched = new SortedSet<long>();
        foreach (var (start, end) in SparseExtents.DataExtents(handle, length))
        {
            for (var index = start / blockSize; index * blockSize < end; index++)
            {
                touched.Add(index);
            }
        }
        var data = new SortedDictionary<long, byte[]>();
        var buffer = new byte[blockSize];
        long read = 0;
        foreach (var index in touched)
        {
            var want = (int)Math.Min(blockSize, length - (index * blockSize));
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
            progress?.Report(read);
            var block = buffer.AsSpan(0, want);
            if (block.IndexOfAnyExcept((byte)0) >= 0)
            {
                data[index] = SHA256.HashData(block);
            }
        }
        return new BlockMap(length, blockSize, data, read);
    }
}
