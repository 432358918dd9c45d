using Drover.Core.Processes;

namespace Drover.Agent;

/// <summary>Runs a command, streaming every output line to the log with a prefix.</summary>
internal static class ShellCommand
{
    /// <summary>Runs <paramref name="fileName"/> with <paramref name="arguments"/>; returns the exit code.</summary>
    public static async Task<int> RunAsync(string fileName, IEnumerable<string> arguments, string prefix, TextWriter log,
        IReadOnlyDictionary<string, string>? environment, string? workingDirectory, CancellationToken cancellationToken)
    {
        var options = new ProcessOptions
        {
            Environment = environment?.ToDictionary(e => e.Key, e => (string?)e.Value),
            WorkingDirectory = workingDirectory,
        };
        var exitCode = await ProcessRunner.StreamLinesAsync(fileName, arguments, line => log.WriteLine($"{prefix}{line}"), options, cancellationToken);
        log.Flush();
        return exitCode;
    }
}
