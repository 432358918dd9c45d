using Microsoft.Win32.SafeHandles;

namespace Drover.LocalCloud.Machines;

/// <summary>
/// Sparse disk files: create, copy and measure by visiting only the data extents (<c>lseek</c> with
/// <c>SEEK_DATA</c>/<c>SEEK_HOLE</c>), and within them skipping all-zero blocks, so a 40 GB disk with 1 GB written costs
/// 1 GB of reads, never 40.
/// </summary>
internal static class SparseFiles
{
    private const int BlockSize = 1 << 20;

    /// <summary>Creates (or replaces) an all-holes file of <paramref name="length"/> bytes.</summary>
    public static void CreateEmpty(string path, long length)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite);
        stream.SetLength(length);
    }

    /// <summary>Grows a file to <paramref name="length"/> bytes (the new part is a hole); never shrinks it.</summary>
    public static void Grow(string path, long length)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        if (stream.Length < length)
        {
            stream.SetLength(length);
        }
    }

    /// <summary>
    /// Copies <paramref name="source"/> to <paramref name="destination"/> keeping holes (and turning zero blocks into holes),
    /// at least <paramref name="minimumLength"/> bytes long; the copied data also goes to <paramref name="sink"/> if given.
    /// </summary>
    public static void Copy(string source, string destination, long minimumLength, Stream? sink, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        var temp = destination + ".partial";
        using (var input = File.OpenHandle(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.SequentialScan))
        using (var output = File.OpenHandle(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            var length = RandomAccess.GetLength(input);
            RandomAccess.SetLength(output, Math.Max(length, minimumLength));
            var buffer = new byte[BlockSize];
            foreach (var (start, end) in DataExtents(input, length))
            {
                for (var offset = start; offset < end; offset += BlockSize)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var want = (int)Math.Min(BlockSize, end - offset);
                    var read = ReadFully(input, buffer.AsSpan(0, want), offset);
                    var block = buffer.AsSpan(0, read);
                    if (block.IndexOfAnyExcept((byte)0) < 0)
                    {
                        continue;
                    }
                    RandomAccess.Write(output, block, offset);
                    sink?.Write(block);
                }
            }
        }
        Drover.Core.Files.AtomicFile.Commit(temp, destination);
    }

    /// <summary>The (start, end) byte ranges that hold data; on a file system without SEEK_DATA, the whole file.</summary>
    public static IEnumerable<(long Start, long End)> DataExtents(SafeFileHandle handle, long length) => Drover.Core.Files.SparseExtents.DataExtents(handle, length);

    /// <summary>Bytes allocated on disk for <paramref name="path"/> (the sum of its data extents).</summary>
    public static long DataBytes(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return DataExtents(handle, RandomAccess.GetLength(handle)).Sum(e => e.End - e.Start);
    }

    private static int ReadFully(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = RandomAccess.Read(handle, buffer[total..], offset + total);
            if (n == 0)
            {
                break;
            }
            total += n;
        }
        return total;
    }
}
