using System.Globalization;

namespace Drover.Images.Rescue;

/// <summary>
/// What the rescue script reported on stdout. Each report line is <c>drover: WHAT key=value ...</c>; its values are
/// read as <c>WHAT.key</c>, e.g. <c>written.bytes</c>.
/// </summary>
/// <param name="ReceivedSha256">sha256 of the image file as it arrived.</param>
/// <param name="WrittenBytes">Bytes written to the disk (the virtual size for qcow2).</param>
/// <param name="WrittenSha256">sha256 of the disk content written.</param>
/// <param name="Discarded">The disk was discarded first (the write was sparse).</param>
/// <param name="Verified">The received bytes' digest was checked (<c>verified=stream</c>) or the disk was read back (<c>verified=yes</c>).</param>
/// <param name="ReadBack">The written bytes were read back from the disk and matched.</param>
public sealed record RescueReport(string? ReceivedSha256, long? WrittenBytes, string? WrittenSha256, bool Verified, bool Discarded, bool ReadBack = false)
{
    public static RescueReport Parse(string stdout)
    {
        var values = ReportLines.Parse(stdout);
        return new RescueReport(
            values.GetValueOrDefault("received.sha256"),
            values.TryGetValue("written.bytes", out var b) && long.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null,
            values.GetValueOrDefault("written.sha256"),
            values.GetValueOrDefault("written.verified") is "yes" or "stream",
            values.GetValueOrDefault("disk.discarded") == "yes",
            values.GetValueOrDefault("written.verified") == "yes");
    }
}
