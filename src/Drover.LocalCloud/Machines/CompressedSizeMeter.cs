using System.Diagnostics;
using System.IO.Compression;
using Drover.Core.Files;
using Drover.Core.Processes;

namespace Drover.LocalCloud.Machines;

/// <summary>
/// Counts how many bytes the data written to <see cref="Input"/> compresses to: with <c>zstd -1</c> when installed
/// (fast even on incompressible data), else with deflate (fastest level) in process.
/// </summary>
internal sealed class CompressedSizeMeter : IDisposable
{
    private readonly Process? _zstd;
    private readonly Task<long>? _counting;
    private readonly CountingStream? _counter;

    public CompressedSizeMeter()
    {
        if (HostCommand.Find("zstd") is { } zstd)
        {
            _zstd = ProcessRunner.Start(zstd, ["-q", "-1", "-T0", "-c"], redirectInput: true, redirectOutput: true, redirectError: true);
            _zstd.ErrorDataReceived += (_, _) => { };
            _zstd.BeginErrorReadLine();
            _counting = CountAsync(_zstd.StandardOutput.BaseStream);
            Input = _zstd.StandardInput.BaseStream;
        }
        else
        {
            _counter = new CountingStream();
            Input = new ZLibStream(_counter, CompressionLevel.Fastest, leaveOpen: true);
        }
    }

    /// <summary>Where the data goes.</summary>
    public Stream Input { get; }

    /// <summary>Ends the input and returns the compressed size in bytes.</summary>
    public long Finish()
    {
        Input.Dispose();
        if (_zstd is null)
        {
            return _counter!.Count;
        }
        var count = _counting!.GetAwaiter().GetResult();
        _zstd.WaitForExit();
        return _zstd.ExitCode == 0 ? count : throw new MachineException($"zstd failed with exit code {_zstd.ExitCode}");
    }

    public void Dispose()
    {
        Input.Dispose();
        if (_zstd is not null)
        {
            if (!_zstd.HasExited)
            {
                _zstd.Kill();
            }
            _zstd.Dispose();
        }
    }

    private static async Task<long> CountAsync(Stream output)
    {
        var buffer = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = await output.ReadAsync(buffer)) > 0)
        {
            total += n;
        }
        return total;
    }
}
