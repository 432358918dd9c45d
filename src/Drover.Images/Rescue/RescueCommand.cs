using System.Text.RegularExpressions;
using Drover.Core.Text;

namespace Drover.Images.Rescue;

/// <summary>
/// Builds the bash script the rescue system runs to write an image onto its disk. Pure: same options, same script.
/// The script discards the disk, streams the image (stdin or a URL) through a sha256 of the file as given, the
/// decompressor and a sha256 of the disk content, writes it sparsely, reads the written bytes back to verify them,
/// and reports on stdout lines of the form <c>drover: key=value ...</c>. qcow2 images are streamed onto the disk
/// beyond their virtual size and converted in place, so no RAM disk limits their size.
/// </summary>
public static partial class RescueCommand
{
    /// <summary>Exit codes the script uses for failures it recognises.</summary>
    public const int ExitDigestMismatch = 65, ExitNoDevice = 66, ExitNotQcow2 = 67, ExitTooLarge = 68, ExitVerifyFailed = 69;

    /// <summary>The first command on a rescue system: exits 0 when <c>/dev/sda</c> is there, printing <c>zstd</c> or <c>plain</c>, then <c>python3</c> when it has python3 (which block uploads need).</summary>
    public const string Probe = "test -b /dev/sda && { command -v zstd >/dev/null && echo zstd || echo plain; command -v python3 >/dev/null && echo python3 || true; }";

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Pattern();

    [GeneratedRegex("^/dev/[a-z0-9]+$")]
    private static partial Regex DevicePattern();

    public static string Build(WriteOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Compression == ImageCompression.Auto || options.WireCompression is not (ImageCompression.None or ImageCompression.Zstd))
        {
            throw new ArgumentException("compression must be resolved, and wire compression must be none or zstd", nameof(options));
        }
        if (options.ExpectedSha256 is { } sha && !Sha256Pattern().IsMatch(sha))
        {
            throw new ArgumentException($"'{sha}' is not a lowercase hex sha256", nameof(options));
        }
        if (!DevicePattern().IsMatch(options.Device))
        {
            throw new ArgumentException($"'{options.Device}' is not a device path", nameof(options));
        }
        if (options.Url is { } url && url.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"only http and https URLs can be downloaded, not '{url.Scheme}'", nameof(options));
        }

        var source = options.Url is { } u
            ? $"curl -fsSL --retry 3 --connect-timeout 20 {ShellQuote.Quote(u.AbsoluteUri)} | "
            : options.WireCompression == ImageCompression.Zstd ? "zstd -dcq | " : "";
        var decompress = options.Compression == ImageCompression.None ? "" : " | " + ImageMagic.Decompressor(options.Compression);
        // Without compression a raw file is the disk content itself: one hash serves both.
        var separateHashes = options.Compression != ImageCompression.None;
        var script = Prologue
            + (options.Sparse ? Discard : NoDiscard)
            + (options.Format == ImageFormat.Raw ? (separateHashes ? RawWithOutputHash : RawSingleHash) : Qcow2)
            + (options.ExpectedSha256 is null ? "" : CheckDigest)
            + (options.Format == ImageFormat.Raw ? (separateHashes ? VerifyRaw : VerifyRawSameHash) : VerifyQcow2)
            + (options.Format == ImageFormat.Raw ? (options.ReadBack ? ReadBackVerify : Written) : "");
        return script
            .Replace("{SOURCE}", source, StringComparison.Ordinal)
            .Replace("{DECOMPRESS}", decompress, StringComparison.Ordinal)
            .Replace("{DEVICE}", options.Device, StringComparison.Ordinal)
            .Replace("{EXPECTED}", options.ExpectedSha256 ?? "", StringComparison.Ordinal);
    }

    private const string Prologue = """
        set -euo pipefail
        dev={DEVICE}
        [ -b "$dev" ] || { echo "drover: $dev is not a block device" >&2; exit 66; }
        w=$(mktemp -d -t drover.XXXXXX); trap 'rm -rf "$w"' EXIT
        size=$(blockdev --getsize64 "$dev")
        # coreutils' sha256sum does not use the CPU's SHA instructions; openssl does (4x faster here).
        if command -v openssl >/dev/null; then sha() { openssl dgst -sha256 -r | cut -d' ' -f1; }; else sha() { sha256sum | cut -d' ' -f1; }; fi

        """;

    private const string Discard = """
        if blkdiscard -f "$dev" 2>/dev/null; then sparse=",sparse"; discarded=yes; else sparse=""; discarded=no; fi
        echo "drover: disk bytes=$size discarded=$discarded"
        mkfifo "$w/in"; sha < "$w/in" > "$w/in.sum" & hin=$!

        """;

    private const string NoDiscard = """
        sparse=""
        echo "drover: disk bytes=$size discarded=no"
        mkfifo "$w/in"; sha < "$w/in" > "$w/in.sum" & hin=$!

        """;

    private const string RawTail = """
         | dd of="$dev" bs=4M iflag=fullblock conv=notrunc$sparse,fsync 2>"$w/dd.err" || {
          grep -q 'No space left' "$w/dd.err" && { echo "drover: the image is larger than the disk ($size bytes)" >&2; exit 68; }
          tail -n 3 "$w/dd.err" >&2; exit 1; }

        """;

    private const string RawSingleHash = """{SOURCE}tee "$w/in"{DECOMPRESS}""" + RawTail + CollectInput;

    private const string RawWithOutputHash = """
        mkfifo "$w/out"; sha < "$w/out" > "$w/out.sum" & hout=$!
        {SOURCE}tee "$w/in"{DECOMPRESS} | tee "$w/out"
        """ + RawTail + CollectInput;

    private const string Qcow2 = """
        qcow2() {
          dd of="$w/hdr" bs=512 count=1 iflag=fullblock status=none
          [ "$(head -c 4 "$w/hdr" | od -An -tx1 | tr -d ' \n')" = 514649fb ] || { echo "drover: not a qcow2 image (bad magic)" >&2; exit 67; }
          vsize=$(od -An -tu8 --endian=big -j 24 -N 8 "$w/hdr" | tr -d ' ')
          [ "$vsize" -le "$size" ] || { echo "drover: the image's virtual size $vsize is larger than the disk ($size bytes)" >&2; exit 68; }
          off=$(( (vsize + 1048575) / 1048576 * 1048576 ))
          echo "$vsize $off" > "$w/qcow2"
          cat "$w/hdr" - | dd of="$dev" bs=4M seek="$off" oflag=seek_bytes iflag=fullblock conv=notrunc 2>"$w/dd.err" || {
            grep -q 'No space left' "$w/dd.err" && { echo "drover: the qcow2 file does not fit on the disk beside its virtual size ($vsize of $size bytes)" >&2; exit 68; }
            tail -n 3 "$w/dd.err" >&2; exit 1; }
        }
        {SOURCE}tee "$w/in"{DECOMPRESS} | qcow2

        """ + CollectInput;

    private const string CollectInput = """
        wait "$hin"; in=$(cat "$w/in.sum")
        bytes=$(sed -n 's/^\([0-9][0-9]*\) bytes.*/\1/p' "$w/dd.err" | tail -n 1)
        echo "drover: received sha256=$in"

        """;

    private const string CheckDigest = """
        [ "$in" = {EXPECTED} ] || { echo "drover: sha256 mismatch: expected {EXPECTED}, received $in" >&2; exit 65; }

        """;

    private const string VerifyRaw = """
        wait "$hout"; out=$(cat "$w/out.sum")

        """;

    private const string VerifyRawSameHash = """
        out=$in

        """;

    private const string ReadBackVerify = """
        sync; back=$(head -c "$bytes" "$dev" | sha)
        [ "$back" = "$out" ] || { echo "drover: verify failed: wrote $out, read back $back" >&2; exit 69; }
        echo "drover: written bytes=$bytes sha256=$out verified=yes"

        """;

    private const string Written = """
        sync
        if [ -n "$sparse" ]; then
          # dd skipped the image's zeros, trusting the discard to have zeroed them. A discard need not (the device may
          # keep the old data): the disk is read back, and a mismatch fails before anything is snapshotted.
          back=$(head -c "$bytes" "$dev" | sha)
          [ "$back" = "$out" ] || { echo "drover: verify failed: wrote $out, read back $back (the disk's discard left old data where the image has zeros)" >&2; exit 69; }
          echo "drover: written bytes=$bytes sha256=$out verified=yes"
        else
          echo "drover: written bytes=$bytes sha256=$out verified=stream"
        fi

        """;

    private const string VerifyQcow2 = """
        read -r vsize off < "$w/qcow2"
        src="driver=qcow2,file.driver=raw,file.offset=$off,file.file.driver=host_device,file.file.filename=$dev,file.file.locking=off"
        dst="driver=raw,size=$vsize,file.driver=host_device,file.filename=$dev,file.locking=off"
        qemu-img check -q --image-opts "$src" >&2 || { echo "drover: the qcow2 image is corrupt" >&2; exit 67; }
        if [ -n "$sparse" ]; then zero=--target-is-zero; else zero=; fi
        qemu-img convert -n $zero --image-opts "$src" --target-image-opts "$dst"
        qemu-img compare -q --image-opts "$src" "$dst" || { echo "drover: verify failed: the disk differs from the qcow2 image" >&2; exit 69; }
        blkdiscard -f -o "$off" "$dev" 2>/dev/null || dd if=/dev/zero of="$dev" bs=4M seek="$off" oflag=seek_bytes count="$bytes" iflag=count_bytes conv=notrunc status=none
        sync
        echo "drover: written bytes=$vsize format=qcow2 verified=yes"

        """;

}
