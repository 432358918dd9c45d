using System.Globalization;

namespace Drover.Images.Upload;

/// <summary>
/// What <c>blockwrite.py write</c> reported: the image's bytes; how the disk was verified (<c>blocks</c>: every block read
/// back and checked against the digest list whose sha256 is <see cref="DigestList"/>; <c>sha256</c>: that and the whole
/// disk hashed, <see cref="Sha256"/>); what was sent, zeroed, and zeroed again after a discard that left data behind;
/// in a delta, how many blocks were taken as the base's hash found them (left alone, with the image's digest).
/// </summary>
public sealed record BlockWriteReport(long Bytes, string Verified, string DigestList, string? Sha256, long Sent, long Zeroed, long Rezeroed, bool? Discarded, bool? Direct, long Trusted = 0)
{
    public static BlockWriteReport Parse(string stdout)
    {
        var values = Rescue.ReportLines.Parse(stdout);
        long Number(string key) => values.TryGetValue(key, out var v) && long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n : throw new UploadException("write", $"the rescue system did not report {key} (it printed: {stdout?.Trim()})");
        var verified = values.GetValueOrDefault("written.verified");
        if (verified is not ("blocks" or "sha256") || values.GetValueOrDefault("written.digests") is not { Length: 64 } list)
        {
            throw new UploadException("write", $"the rescue system did not report a verified disk (it printed: {stdout?.Trim()})");
        }
        var sha = values.GetValueOrDefault("written.sha256");
        if (verified == "sha256" && sha is not { Length: 64 })
        {
            throw new UploadException("write", $"the rescue system did not report the disk's sha256 (it printed: {stdout?.Trim()})");
        }
        return new BlockWriteReport(Number("written.bytes"), verified, list, sha, Number("written.sent"), Number("written.zeroed"),
            values.ContainsKey("written.rezeroed") ? Number("written.rezeroed") : 0,
            values.GetValueOrDefault("disk.discarded") is { } d ? d == "yes" : null,
            values.GetValueOrDefault("disk.direct") is { } o ? o == "yes" : null,
            values.ContainsKey("written.trusted") ? Number("written.trusted") : 0);
    }
}
