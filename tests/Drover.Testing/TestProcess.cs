using System.Diagnostics;

namespace Drover.Testing;

/// <summary>Runs a command for a test and captures its output; kills it by its own handle on timeout.</summary>
public static class TestProcess
{
    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string file, IEnumerable<string> args, string? stdinFile = null, int timeoutSeconds = 120)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdinFile is not null)
        {
            await using var input = File.OpenRead(stdinFile);
            try
            {
                await input.CopyToAsync(process.StandardInput.BaseStream);
            }
            catch (IOException)
            {
                // The command stopped reading (it failed early); its exit code tells why.
            }
        }
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish within {timeoutSeconds} s");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    public static async Task<string> CheckAsync(string file, params string[] args)
    {
        var (exit, stdout, stderr) = await RunAsync(file, args);
        return exit == 0 ? stdout : throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({exit}): {stderr}");
    }
}
