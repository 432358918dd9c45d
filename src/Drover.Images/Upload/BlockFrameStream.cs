using Microsoft.Win32.SafeHandles;

namespace Drover.Images.Upload;

/// <summary>
/// A read-only stream of a <see cref="BlockPlan"/>: its header, then each frame's header and, for data frames, the
/// image's bytes read straight from the file into the reader's buffer (no copy held, so memory stays flat whatever the
/// image's size), then the end frame. <c>sent</c> hears the image bytes delivered so far.
/// </summary>
public sealed class BlockFrameStream : Stream
{
    private readonly SafeFileHandle _file;
    private readonly IProgress<long>? _sent;
    private readonly Queue<(byte[]? Bytes, long Offset, long Length)> _parts = new();
    private byte[]? _bytes;
    private long _offset;
    private long _remaining;
    private long _delivered;
    private long _position;

    internal BlockFrameStream(BlockPlan plan, string path, IProgress<long>? sent, bool wholeSha256)
    {
        _file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        if (RandomAccess.GetLength(_file) != plan.Map.Length)
        {
            _file.Dispose();
            throw new IOException($"{path} is {new FileInfo(path).Length} bytes, not the {plan.Map.Length} it had when mapped (did it change?)");
        }
        _sent = sent;
        var header = plan.Header(wholeSha256);
        _parts.Enqueue((header, 0, header.Length));
        foreach (var frame in plan.Frames)
        {
            _parts.Enqueue((BlockPlan.FrameHeader(frame.Kind, frame.Offset, frame.Length), 0, BlockPlan.FrameHeaderLength));
            if (frame.Kind == 'D')
            {
                _parts.Enqueue((null, frame.Offset, frame.Length));
            }
        }
        _parts.Enqueue((BlockPlan.FrameHeader('E', 0, 0), 0, BlockPlan.FrameHeaderLength));
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <summary>What went wrong reading the image, if anything: whoever copies this stream may only see the stream end.</summary>
    public Exception? Error { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        try
        {
            if (!Next())
            {
                return 0;
            }
            var want = (int)Math.Min(buffer.Length, _remaining);
            var n = _bytes is { } bytes ? Copy(bytes, buffer[..want]) : RandomAccess.Read(_file, buffer[..want], _offset);
            return Advance(n);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Error ??= e;
            throw;
        }
    }

    /// <summary>Reads synchronously: the image is a local file, mostly in the page cache after its map; a thread hop per read costs more.</summary>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private bool Next()
    {
        while (_remaining == 0)
        {
            if (!_parts.TryDequeue(out var part))
            {
                return false;
            }
            (_bytes, _offset, _remaining) = part;
        }
        return true;
    }

    private int Copy(byte[] bytes, Span<byte> into)
    {
        bytes.AsSpan((int)_offset, into.Length).CopyTo(into);
        return into.Length;
    }

    private int Advance(int n)
    {
        if (n == 0)
        {
            throw new IOException($"the image file ended at {_offset} bytes while being sent (did it change?)");
        }
        _offset += n;
        _remaining -= n;
        _position += n;
        if (_bytes is null)
        {
            _delivered += n;
            _sent?.Report(_delivered);
        }
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
        }
        base.Dispose(disposing);
    }
}
