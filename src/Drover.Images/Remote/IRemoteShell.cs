namespace Drover.Images.Remote;

/// <summary>The result of one remote command.</summary>
public sealed record ShellResult(int ExitCode, string Stdout, string Stderr);

/// <summary>A shell on a remote machine (the rescue system). Implemented over OpenSSH's <c>ssh</c>, faked in tests.</summary>
public interface IRemoteShell : IAsyncDisposable
{
    /// <summary>
    /// Runs a bash script remotely, feeding <paramref name="stdin"/> (if any) to it; <paramref name="sent"/> hears how
    /// many bytes of it went out. Throws <see cref="RemoteShellException"/> when the connection fails or drops.
    /// </summary>
    Task<ShellResult> RunAsync(string script, Stream? stdin, IProgress<long>? sent, CancellationToken cancellationToken);
}

/// <summary>Connecting to the remote machine failed, or the connection dropped mid-command.</summary>
public sealed class RemoteShellException(string message, Exception? inner = null) : Exception(message, inner);
