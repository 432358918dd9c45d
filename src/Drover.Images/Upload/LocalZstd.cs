using System.Diagnostics;

namespace Drover.Images.Upload;

/// <summary>Compresses a stream with a local <c>zstd -1</c> process for the transfer; read <see cref="Output"/>.</summary>
internal sealed class LocalZstd : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task _feeder;

    private LocalZstd(Process process, Task feeder)
    {
        _process = process;
        _feeder = feeder;
    }

    public Stream Output => _process.StandardOutput.BaseStream;

    public static bool Available()
        => Environment.GetEnvironmentVariable("PATH")?.Split(':').Any(d => File.Exists(Path.Combine(d, "zstd"))) == true;

    public static LocalZstd Start(Stream input, IProgress<long>? read, CancellationToken ct)
    {
        var start = new ProcessStartInfo("zstd") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-1", "-T0", "-q", "-c" })
        {
            start.ArgumentList.Add(a);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start zstd");
        _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var feeder = Task.Run(async () =>
        {
            var buffer = new byte[1 << 20];
            long total = 0;
            int n;
            try
            {
                while ((n = await input.ReadAsync(buffer, ct)) > 0)
                {
                    await process.StandardInput.BaseStream.WriteAsync(buffer.AsMemory(0, n), ct);
                    total += n;
                    read?.Report(total);
                }
            }
            finally
            {
                process.StandardInput.Close();
            }
        }, ct);
        return new LocalZstd(process, feeder);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }
        await _process.WaitForExitAsync(CancellationToken.None);
        try
        {
            await _feeder;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The reader went away first (failure or cancellation); that error is reported by the caller.
        }
        _process.Dispose();
    }
}
