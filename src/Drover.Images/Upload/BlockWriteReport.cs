using System.Globalization;

namespace Drover.Images.Upload;

/// <summary>What <c>blockwrite.py write</c> reported: the image's bytes and the disk's sha256 read back, what was sent and zeroed.</summary>
public sealed record BlockWriteReport(long Bytes, string Sha256, long Sent, long Zeroed, bool? Discarded)
{
    public static BlockWriteReport Parse(string stdout)
    {
        var values = Rescue.ReportLines.Parse(stdout);
        long Number(string key) => values.TryGetValue(key, out var v) && long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n : throw new UploadException("write", $"the rescue system did not report {key} (it printed: {stdout?.Trim()})");
        if (values.GetValueOrDefault("written.verified") != "disk" || values.GetValueOrDefault("written.sha256") is not { Length: 64 } sha)
        {
            throw new UploadException("write", $"the rescue system did not report a verified disk (it printed: {stdout?.Trim()})");
        }
        return new BlockWriteReport(Number("written.bytes"), sha, Number("written.sent"), Number("written.zeroed"),
            values.GetValueOrDefault("disk.discarded") is { } d ? d == "yes" : null);
    }
}
