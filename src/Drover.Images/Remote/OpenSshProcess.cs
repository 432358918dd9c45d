using System.Diagnostics;

namespace Drover.Images.Remote;

/// <summary>
/// One run of OpenSSH's <c>ssh</c> with the given arguments: <c>stdin</c> fed (with progress), stdout and stderr copied
/// as they arrive, the process killed by its own handle on cancellation. The exit code is the remote command's, or 255
/// when SSH itself failed. Shared by the rescue shell (buffered) and fleet commands (streamed).
/// </summary>
public static class OpenSshProcess
{
    /// <summary>ssh's own exit code for "could not connect / connection lost".</summary>
    public const int SshFailure = 255;

    /// <exception cref="InvalidOperationException">ssh is not installed.</exception>
    public static async Task<int> RunAsync(IEnumerable<string> arguments, Stream? stdin, IProgress<long>? sent, Stream stdout, Stream stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var start = new ProcessStartInfo("ssh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("could not start ssh");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("ssh is needed (install openssh-client): " + e.Message, e);
        }
        using (process)
        {
            await using var kill = cancellationToken.Register(() =>
            {
                try
                {
                    process.Kill();
                }
                catch (InvalidOperationException)
                {
                    // Already exited.
                }
            });
            var copyOut = PumpAsync(process.StandardOutput.BaseStream, stdout);
            var copyErr = PumpAsync(process.StandardError.BaseStream, stderr);
            try
            {
                if (stdin is not null)
                {
                    await CopyAsync(stdin, process.StandardInput.BaseStream, sent, cancellationToken);
                }
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The remote side stopped reading: its exit code and stderr say why.
            }
            await process.WaitForExitAsync(CancellationToken.None);
            await Task.WhenAll(copyOut, copyErr);
            cancellationToken.ThrowIfCancellationRequested();
            return process.ExitCode;
        }
    }

    private static async Task CopyAsync(Stream from, Stream to, IProgress<long>? sent, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 20];
        long total = 0;
        int n;
        while ((n = await from.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await to.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
            total += n;
            sent?.Report(total);
        }
        await to.FlushAsync(cancellationToken);
    }

    /// <summary>Copies as it comes (a streamed converge shows each line when it is written).</summary>
    private static async Task PumpAsync(Stream from, Stream to)
    {
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = await from.ReadAsync(buffer)) > 0)
        {
            await to.WriteAsync(buffer.AsMemory(0, n));
            await to.FlushAsync();
        }
    }
}
