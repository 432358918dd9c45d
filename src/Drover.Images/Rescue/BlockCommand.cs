using System.Text.RegularExpressions;
using Drover.Core.Text;

namespace Drover.Images.Rescue;

/// <summary>
/// The rescue side of block uploads: <c>blockwrite.py</c> (embedded; python3's standard library only) run as a bash
/// command line. <see cref="Hash"/> prints a disk's block digests; <see cref="Write"/> reads a
/// <see cref="Upload.BlockPlan"/>'s stream from stdin, writes it with direct I/O and reads every block of the image
/// back from the disk, checking it against its digest (and, if asked, the whole disk's sha256). Exit codes as
/// <see cref="RescueCommand"/>'s, plus <see cref="ExitMalformed"/> and <see cref="ExitIo"/>.
/// </summary>
public static partial class BlockCommand
{
    /// <summary>The stream ended inside a frame or had a frame out of place (a dropped connection, a bug).</summary>
    public const int ExitMalformed = 70;

    /// <summary>The disk failed a read or a write (EIO, ENOSPC; sysexits' EX_IOERR).</summary>
    public const int ExitIo = 74;

    private static readonly Lazy<string> _script = new(() =>
    {
        using var stream = typeof(BlockCommand).Assembly.GetManifestResourceStream("Drover.Images.Rescue.blockwrite.py")
            ?? throw new InvalidOperationException("the embedded blockwrite.py is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>The receiver's source, as it runs on the rescue system.</summary>
    public static string Script => _script.Value;

    [GeneratedRegex("^/dev/[a-z0-9]+$")]
    private static partial Regex DevicePattern();

    /// <summary>Where on the rescue system <see cref="Hash"/> keeps the base disk's digests for a delta's <see cref="Write"/>.</summary>
    public const string KeptDigests = "/tmp/drover-base-blocks";

    /// <summary>
    /// Prints one line per block of <paramref name="device"/>'s first <paramref name="count"/> blocks: sha256 hex, or
    /// <c>z</c>; with <paramref name="keep"/> also keeps them in that file on the machine, for a delta's <see cref="Write"/>.
    /// </summary>
    public static string Hash(long count, int blockSize, string device = "/dev/sda", string? keep = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return $"exec python3 -c {ShellQuote.Quote(Script)} hash {Device(device)} {blockSize} {count}" + (keep is null ? "" : " " + ShellQuote.Quote(keep));
    }

    /// <summary>
    /// For each block index on stdin, prints <c>INDEX HEX</c>: the first 16 hex digits of the sha256 of each
    /// <paramref name="piece"/> bytes of the block (zero-padded past the disk's end), where a changed block changed.
    /// </summary>
    public static string Pieces(int blockSize, int piece, string device = "/dev/sda")
        => $"exec python3 -c {ShellQuote.Quote(Script)} pieces {Device(device)} {blockSize} {piece}";

    /// <summary>
    /// Writes the plan arriving on stdin (zstd-compressed when <paramref name="zstd"/>) onto <paramref name="device"/>.
    /// A delta planned from the digests <see cref="Hash"/> left in <paramref name="kept"/> does not read back the blocks
    /// it left alone whose kept digest is the image's (they were just read off this disk, and nothing wrote them since).
    /// </summary>
    public static string Write(bool zstd, string device = "/dev/sda", string? kept = null)
    {
        var receiver = $"python3 -c {ShellQuote.Quote(Script)} write {Device(device)}" + (kept is null ? "" : " " + ShellQuote.Quote(kept));
        return zstd ? $"set -o pipefail; zstd -dcq | {receiver}" : "exec " + receiver;
    }

    private static string Device(string device)
        => DevicePattern().IsMatch(device) ? device : throw new ArgumentException($"'{device}' is not a device path", nameof(device));
}
