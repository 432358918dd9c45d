namespace Drover.Core.Ssh;

/// <summary>A shell on a remote machine (a rescue system, a fleet host). <see cref="OpenSshShell"/> over ssh; faked in tests.</summary>
public interface IRemoteShell : IAsyncDisposable
{
    /// <summary>
    /// Runs a bash script remotely, feeding <paramref name="stdin"/> (if any) to it; <paramref name="sent"/> hears how
    /// many bytes of it went out. Throws <see cref="RemoteShellException"/> when the connection fails or drops.
    /// </summary>
    Task<ShellResult> RunAsync(string script, Stream? stdin, IProgress<long>? sent, CancellationToken cancellationToken);
}
