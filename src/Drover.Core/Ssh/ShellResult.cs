namespace Drover.Core.Ssh;

/// <summary>The result of one remote command.</summary>
public sealed record ShellResult(int ExitCode, string Stdout, string Stderr);
