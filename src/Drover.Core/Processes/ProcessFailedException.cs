namespace Drover.Core.Processes;

/// <summary>A program exited non-zero: names the command, its exit code and the last lines it printed.</summary>
public sealed class ProcessFailedException(ProcessResult result)
    : DroverException($"'{result.Command}' failed (exit {result.ExitCode}): {result.Message}")
{
    public ProcessResult Result { get; } = result;
}
