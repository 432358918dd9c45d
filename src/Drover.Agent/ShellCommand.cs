using System.Diagnostics;

namespace Drover.Agent;

/// <summary>Runs a command, streaming every output line to the log with a prefix.</summary>
internal static class ShellCommand
{
    /// <summary>Runs <paramref name="fileName"/> with <paramref name="arguments"/>; returns the exit code.</summary>
    public static async Task<int> RunAsync(string fileName, IEnumerable<string> arguments, string prefix, TextWriter log,
        IReadOnlyDictionary<string, string>? environment, string? workingDirectory, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new AgentException($"could not start {fileName}");
        process.StandardInput.Close();
        var gate = new object();
        async Task PumpAsync(StreamReader reader)
        {
            while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
            {
                lock (gate)
                {
                    log.WriteLine($"{prefix}{line}");
                }
            }
        }

        var pumps = Task.WhenAll(PumpAsync(process.StandardOutput), PumpAsync(process.StandardError));
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw;
        }

        // A command that leaves a background process holding its output open must not hang the agent.
        await Task.WhenAny(pumps, Task.Delay(TimeSpan.FromSeconds(5), TimeProvider.System, CancellationToken.None));
        lock (gate)
        {
            log.Flush();
        }

        return process.ExitCode;
    }
}
