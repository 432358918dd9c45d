namespace Drover.Core.Ssh;

/// <summary>A shell on a remote machine (a rescue system, a fleet host). <see cref="OpenSshShell"/> over ssh; faked in tests.</summary>
public interface IRemoteShell : IAsyncDisposable
{
    /// <summary>
    /// Runs a bash script remotely, feeding <paramref name="stdin"/> (if any) to it; <paramref name="sent"/> hears how
    /// many bytes of it went out. Throws <see cref="RemoteShellException"/> when the connection fails or drops.
    /// </summary>
    Task<ShellResult> RunAsync(string script, Stream? stdin, IProgress<long>? sent, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="RunAsync(string, Stream?, IProgress{long}?, CancellationToken)"/>; <paramref name="lines"/> also
    /// hears how many lines of stdout arrived so far: the progress of a long command that prints a line per piece of work.
    /// A shell that cannot tell reports nothing.
    /// </summary>
    Task<ShellResult> RunAsync(string script, Stream? stdin, IProgress<long>? sent, IProgress<long>? lines, CancellationToken cancellationToken)
        => RunAsync(script, stdin, sent, cancellationToken);
}
