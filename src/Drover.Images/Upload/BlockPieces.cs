using System.Security.Cryptography;

namespace Drover.Images.Upload;

/// <summary>
/// A block in pieces (64 KiB): where a changed block changed. A package update changes a few KiB here and there, so a
/// delta sends the pieces that differ from the base, not whole 4 MiB blocks. A piece digest is the first 16 hex digits
/// of its sha256: only a hint of where to look, since the block written is checked whole against its full digest.
/// </summary>
public static class BlockPieces
{
    public const int DefaultPieceSize = 64 << 10;

    /// <summary>Hex digits per piece.</summary>
    public const int HexPerPiece = 16;

    /// <summary>The piece digests of block <paramref name="index"/> of <paramref name="path"/>, zero-padded past its end, as <c>blockwrite.py pieces</c> prints them.</summary>
    public static string Of(string path, long index, int blockSize, int piece = DefaultPieceSize)
    {
        using var handle = File.OpenHandle(path);
        var buffer = new byte[blockSize];
        var offset = index * blockSize;
        var length = RandomAccess.GetLength(handle);
        var want = (int)Math.Clamp(length - offset, 0, blockSize);
        var got = 0;
        while (got < want)
        {
            var n = RandomAccess.Read(handle, buffer.AsSpan(got, want - got), offset + got);
            if (n == 0)
            {
                throw new IOException($"{path} ended at {offset + got} bytes (did it change?)");
            }
            got += n;
        }
        var text = new System.Text.StringBuilder(blockSize / piece * HexPerPiece);
        Span<byte> hash = stackalloc byte[32];
        for (var at = 0; at < blockSize; at += piece)
        {
            SHA256.HashData(buffer.AsSpan(at, piece), hash);
            text.Append(Convert.ToHexStringLower(hash[..(HexPerPiece / 2)]));
        }
        return text.ToString();
    }

    /// <summary>The (offset within the block, length) runs of pieces where two piece-digest strings differ.</summary>
    public static IReadOnlyList<(long Offset, long Length)> Differences(string mine, string theirs, int piece = DefaultPieceSize)
    {
        ArgumentNullException.ThrowIfNull(mine);
        ArgumentNullException.ThrowIfNull(theirs);
        var runs = new List<(long Offset, long Length)>();
        for (var i = 0; i * HexPerPiece < mine.Length; i++)
        {
            var differs = theirs.Length < (i + 1) * HexPerPiece || !mine.AsSpan(i * HexPerPiece, HexPerPiece).SequenceEqual(theirs.AsSpan(i * HexPerPiece, HexPerPiece));
            if (!differs)
            {
                continue;
            }
            var start = (long)i * piece;
            if (runs.Count > 0 && runs[^1].Offset + runs[^1].Length == start)
            {
                runs[^1] = (runs[^1].Offset, runs[^1].Length + piece);
            }
            else
            {
                runs.Add((start, piece));
            }
        }
        return runs;
    }
}
