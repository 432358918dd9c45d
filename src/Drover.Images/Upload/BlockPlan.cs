using System.Buffers.Binary;
using System.Text.Json;

namespace Drover.Images.Upload;

/// <summary>One frame of a block upload: data to write (<c>D</c>) or a range to zero (<c>Z</c>), block-aligned.</summary>
public readonly record struct BlockFrame(char Kind, long Offset, long Length);

/// <summary>
/// What a block upload sends for an image (<see cref="BlockMap"/>): in full mode its data runs onto a discarded disk; in
/// delta mode only the blocks whose digests differ from the base disk's (the rescue side's <c>hash</c> lines), and zero
/// ranges where the image is zero but the base is not. The rescue side's <c>blockwrite.py</c> reads it (header, frames).
/// </summary>
public sealed class BlockPlan
{
    /// <summary>The size of a frame's header: kind (1 byte), offset and length (8 bytes each, big-endian).</summary>
    public const int FrameHeaderLength = 17;

    private BlockPlan(BlockMap map, bool delta, IReadOnlyList<BlockFrame> frames, int piece, string? baseLinesSha256 = null)
    {
        BaseLinesSha256 = baseLinesSha256;
        Map = map;
        Delta = delta;
        Frames = frames;
        Piece = piece;
    }

    /// <summary>The granularity of data frames: the block size, or in a delta the piece size (<see cref="BlockPieces"/>).</summary>
    public int Piece { get; }

    /// <summary>A delta's: the sha256 of the base's digest lines it was planned from (one per image block, joined by newlines).</summary>
    public string? BaseLinesSha256 { get; }

    public BlockMap Map { get; }

    /// <summary>Whether the disk holds a base image the plan patches (otherwise it is discarded and written whole).</summary>
    public bool Delta { get; }

    public IReadOnlyList<BlockFrame> Frames { get; }

    /// <summary>Image bytes sent (data frames).</summary>
    public long SendBytes => Frames.Where(f => f.Kind == 'D').Sum(f => f.Length);

    /// <summary>Image bytes not sent: zero, or the same on the base.</summary>
    public long SkipBytes => Map.Length - SendBytes;

    /// <summary>Blocks sent, whole or in pieces.</summary>
    public long SendBlocks => Frames.Where(f => f.Kind == 'D').SelectMany(f => LongRange(f.Offset / Map.BlockSize, ((f.Offset + f.Length - 1) / Map.BlockSize) + 1)).Distinct().LongCount();

    private static IEnumerable<long> LongRange(long from, long to)
    {
        for (var i = from; i < to; i++)
        {
            yield return i;
        }
    }

    /// <summary>Every data run of the image, for a discarded disk.</summary>
    public static BlockPlan Full(BlockMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return new BlockPlan(map, false, [.. map.DataRuns().Select(r => new BlockFrame('D', r.Offset, r.Length))], map.BlockSize);
    }

    /// <summary>
    /// The blocks where the base disk's <paramref name="baseLines"/> (at least one per image block) differ from the
    /// image: data blocks to send, zero blocks to zero; consecutive blocks of a kind are one frame. For a block in
    /// <paramref name="pieces"/> only those (offset in the block, length) runs are sent: the pieces that differ.
    /// </summary>
    public static BlockPlan Against(BlockMap map, IReadOnlyList<string> baseLines, IReadOnlyDictionary<long, IReadOnlyList<(long Offset, long Length)>>? pieces = null, int piece = BlockPieces.DefaultPieceSize)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(baseLines);
        if (baseLines.Count < map.BlockCount)
        {
            throw new ArgumentException($"the base has {baseLines.Count} block digests, the image {map.BlockCount} blocks", nameof(baseLines));
        }
        var frames = new List<BlockFrame>();
        for (long index = 0; index < map.BlockCount; index++)
        {
            var mine = map.Line(index);
            if (mine == baseLines[(int)index])
            {
                continue;
            }
            var kind = mine == "z" ? 'Z' : 'D';
            var start = index * map.BlockSize;
            if (kind == 'D' && pieces is not null && pieces.TryGetValue(index, out var runs))
            {
                foreach (var (offset, length) in runs)
                {
                    Add(frames, kind, start + offset, Math.Min(length, map.Length - (start + offset)));
                }
                continue;
            }
            Add(frames, kind, start, map.BlockLength(index));
        }
        return new BlockPlan(map, true, frames, pieces is null ? map.BlockSize : piece, BlockMap.ListSha256(baseLines.Take(checked((int)map.BlockCount))));
    }

    private static void Add(List<BlockFrame> frames, char kind, long offset, long length)
    {
        if (length <= 0)
        {
            return;
        }
        if (frames.Count > 0 && frames[^1] is var last && last.Kind == kind && last.Offset + last.Length == offset)
        {
            frames[^1] = last with { Length = last.Length + length };
        }
        else
        {
            frames.Add(new BlockFrame(kind, offset, length));
        }
    }

    /// <summary>
    /// The JSON header line <c>blockwrite.py write</c> reads first. With <paramref name="wholeSha256"/> the rescue side
    /// also hashes the disk whole as it reads it back (besides checking every block against its digest).
    /// </summary>
    public byte[] Header(bool wholeSha256 = false)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("length", Map.Length);
            json.WriteNumber("block", Map.BlockSize);
            json.WriteStartArray("digests");
            foreach (var line in Map.Lines())
            {
                json.WriteStringValue(line);
            }
            json.WriteEndArray();
            json.WriteString("sha256", Map.Sha256);
            json.WriteString("mode", Delta ? "delta" : "full");
            json.WriteNumber("piece", Piece);
            json.WriteString("verify", wholeSha256 ? "sha256" : "blocks");
            if (BaseLinesSha256 is { } baseSha)
            {
                json.WriteString("base", baseSha);
            }
            json.WriteEndObject();
        }
        var header = buffer.ToArray();
        return [.. header, (byte)'\n'];
    }

    /// <summary>A frame's 17-byte header.</summary>
    public static byte[] FrameHeader(char kind, long offset, long length)
    {
        var bytes = new byte[FrameHeaderLength];
        bytes[0] = (byte)kind;
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(1), offset);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(9), length);
        return bytes;
    }

    /// <summary>The whole stream for this plan, reading data frames from <paramref name="path"/>; see <see cref="BlockFrameStream"/>.</summary>
    public BlockFrameStream Open(string path, IProgress<long>? sent = null, bool wholeSha256 = false) => new(this, path, sent, wholeSha256);
}
