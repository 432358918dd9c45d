using System.Diagnostics;
using System.Globalization;
using Drover.Core.Processes;

namespace Drover.Images.Upload;

/// <summary>
/// Compresses a file with a local <c>zstd -1</c> process for the transfer; read <see cref="Output"/>. zstd reads the
/// file itself (no copy through managed buffers); progress comes from its file position in <c>/proc/PID/fdinfo</c>.
/// </summary>
internal sealed class LocalZstd : IAsyncDisposable
{
    private readonly Process _process;
    private readonly CancellationTokenSource _stop;
    private readonly Task _watcher;
    private readonly Task? _feeder;

    private LocalZstd(Process process, Task watcher, CancellationTokenSource stop, Task? feeder = null)
    {
        _feeder = feeder;
        _process = process;
        _watcher = watcher;
        _stop = stop;
    }

    public Stream Output => _process.StandardOutput.BaseStream;

    public static bool Available() => ProcessRunner.Find("zstd", extraDirectories: []) is not null;

    public static LocalZstd Start(string path, IProgress<long>? read, CancellationToken ct)
    {
        var process = ProcessRunner.Start("zstd", ["-1", "-T0", "-q", "-c", "--", path], redirectOutput: true, redirectError: true);
        _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var watcher = read is null ? Task.CompletedTask : Task.Run(() => WatchAsync(process, path, read, stop.Token), CancellationToken.None);
        return new LocalZstd(process, watcher, stop);
    }

    /// <summary>
    /// Compresses <paramref name="input"/> (copied into zstd's stdin by a task of its own) at <paramref name="level"/>;
    /// read <see cref="Output"/>. A failure to feed zstd ends its input, so the reader sees the stream end early.
    /// </summary>
    public static LocalZstd Compress(Stream input, CancellationToken ct, int level = 1)
    {
        var process = ProcessRunner.Start("zstd", [$"-{level}", "-T0", "-q", "-c"], redirectInput: true, redirectOutput: true, redirectError: true);
        _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var feeder = Task.Run(async () =>
        {
            try
            {
                await input.CopyToAsync(process.StandardInput.BaseStream, 1 << 20, stop.Token);
            }
            finally
            {
                process.StandardInput.Close();
            }
        }, CancellationToken.None);
        return new LocalZstd(process, Task.CompletedTask, stop, feeder);
    }

    /// <summary>Reports how far zstd has read the file, twice a second, until it exits.</summary>
    private static async Task WatchAsync(Process process, string path, IProgress<long> read, CancellationToken ct)
    {
        var full = Path.GetFullPath(path);
        var length = new FileInfo(full).Length;
        try
        {
            while (!ct.IsCancellationRequested && !process.HasExited)
            {
                if (Position(process.Id, full) is { } pos)
                {
                    read.Report(pos);
                }
                await Task.Delay(TimeSpan.FromMilliseconds(500), TimeProvider.System, ct);
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }
        read.Report(length);
    }

    private static long? Position(int pid, string file)
    {
        try
        {
            foreach (var fd in Directory.EnumerateFiles($"/proc/{pid}/fd"))
            {
                if (new FileInfo(fd).LinkTarget == file)
                {
                    var pos = File.ReadLines($"/proc/{pid}/fdinfo/{Path.GetFileName(fd)}").FirstOrDefault(l => l.StartsWith("pos:", StringComparison.Ordinal));
                    return pos is null ? null : long.Parse(pos[4..].Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            // The process exited or the fd closed between looking and reading.
        }
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }
        await _process.WaitForExitAsync(CancellationToken.None);
        await _stop.CancelAsync();
        await _watcher;
        if (_feeder is { } feeder)
        {
            try
            {
                await feeder;
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                // zstd was stopped, or the reader stopped reading: the upload reports why.
            }
        }
        _stop.Dispose();
        _process.Dispose();
    }
}
