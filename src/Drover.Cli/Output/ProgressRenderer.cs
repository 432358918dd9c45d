using System.Globalization;
using Drover.Images.Upload;

namespace Drover.Cli.Output;

/// <summary>
/// Draws upload progress on stderr: one line redrawn in place on a terminal, otherwise a line per step and one every
/// few seconds for data steps (step, bytes, rate, ETA). Uploads running side by side each get a renderer with a
/// <paramref name="prefix"/> (e.g. <c>x86: </c>) and no terminal, so their lines interleave whole; renderers and the
/// CLI's logger lock the writer itself.
/// </summary>
public sealed class ProgressRenderer(TextWriter error, bool terminal, TimeProvider? time = null, string prefix = "") : IProgress<UploadProgress>
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private string _step = "";
    private long _lastLine;
    private bool _open;

    public void Report(UploadProgress value)
    {
        lock (error)
        {
            var now = _time.GetTimestamp();
            var newStep = value.Step != _step;
            if (newStep)
            {
                EndLine();
                _step = value.Step;
                _lastLine = now;
                error.WriteLine($"==> {prefix}{value.Step}");
                return;
            }
            if (value.Bytes == 0 || (!terminal && _time.GetElapsedTime(_lastLine, now) < TimeSpan.FromSeconds(3)))
            {
                return;
            }
            _lastLine = now;
            var line = Describe(value);
            if (terminal)
            {
                error.Write("\r    " + prefix + line.PadRight(70));
                _open = true;
            }
            else
            {
                error.WriteLine("    " + prefix + line);
            }
        }
    }

    /// <summary>Ends an in-place line so that what follows starts on its own line.</summary>
    public void EndLine()
    {
        lock (error)
        {
            if (_open)
            {
                error.WriteLine();
                _open = false;
            }
        }
    }

    public static string Describe(UploadProgress p)
    {
        var seconds = Math.Max(p.Elapsed.TotalSeconds, 0.001);
        var rate = p.Bytes / seconds;
        var text = $"{Size(p.Bytes)}";
        if (p.TotalBytes is { } total && total > 0)
        {
            text += $" of {Size(total)} ({100.0 * p.Bytes / total:0}%)";
            if (rate > 0 && p.Bytes < total)
            {
                text += $", ETA {TimeSpan.FromSeconds((total - p.Bytes) / rate):mm\\:ss}";
            }
        }
        if (p.SkippedBytes is { } skipped)
        {
            text += $", {Size(skipped)} skipped";
        }
        return text + $", {Size((long)rate)}/s";
    }

    public static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("0.00", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
        >= 1L << 10 => (bytes / (double)(1L << 10)).ToString("0", CultureInfo.InvariantCulture) + " KiB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };
}
