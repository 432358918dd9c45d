namespace Drover.Core.Processes;

/// <summary>A program did not finish within its <see cref="ProcessOptions.Timeout"/> and was killed.</summary>
public sealed class ProcessTimeoutException(string command, TimeSpan timeout)
    : DroverException($"'{command}' did not finish within {timeout.TotalSeconds:0} s")
{
    public string Command { get; } = command;
}
