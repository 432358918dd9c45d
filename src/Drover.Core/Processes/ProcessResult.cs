namespace Drover.Core.Processes;

/// <summary>How a program ended and what it printed.</summary>
/// <param name="Command">The command line as a shell would read it (for messages).</param>
/// <param name="ExitCode">The program's exit code.</param>
/// <param name="Stdout">What it wrote to stdout.</param>
/// <param name="Stderr">What it wrote to stderr.</param>
public sealed record ProcessResult(string Command, int ExitCode, string Stdout, string Stderr)
{
    public bool Ok => ExitCode == 0;

    /// <summary>The last lines of stderr (or stdout when stderr is empty), joined with " | ", for one-line messages.</summary>
    public string Message => ProcessText.Tail(Stderr.Trim().Length > 0 ? Stderr : Stdout);

    /// <summary>This result when the program exited 0; a <see cref="ProcessFailedException"/> naming it otherwise.</summary>
    public ProcessResult EnsureSuccess() => Ok ? this : throw new ProcessFailedException(this);
}
