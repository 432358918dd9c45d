using System.Text;
using Drover.Core.Processes;
using Drover.Core.Text;

namespace Drover.Core.Ssh;

/// <summary>
/// <see cref="IRemoteShell"/> over OpenSSH's <c>ssh</c>, for a machine with a fresh host key each boot (a rescue
/// system): the key is trusted on first use into a known_hosts file of this shell's own, deleted on dispose.
/// </summary>
public sealed class OpenSshShell : IRemoteShell
{
    private readonly SshTarget _target;
    private readonly DirectoryInfo _directory;
    private readonly SshOptions _options;

    public OpenSshShell(SshTarget target, int connectTimeoutSeconds = 10)
    {
        ArgumentNullException.ThrowIfNull(target);
        _target = target;
        _directory = Directory.CreateTempSubdirectory("drover-ssh-");
        _options = new SshOptions
        {
            KnownHostsFile = Path.Combine(_directory.FullName, "known_hosts"),
            IgnoreGlobalKnownHosts = true,
            ConnectTimeoutSeconds = connectTimeoutSeconds,
            Ciphers = SshOptions.FastCiphers,
        };
    }

    /// <summary>The ssh arguments for a script (exposed for the benchmark's plain-ssh baseline).</summary>
    public IReadOnlyList<string> Arguments(string script) => OpenSsh.Arguments(_target, "bash -c " + ShellQuote.Quote(script), _options);

    public Task<ShellResult> RunAsync(string script, Stream? stdin, IProgress<long>? sent, CancellationToken cancellationToken)
        => RunAsync(script, stdin, sent, null, cancellationToken);

    public async Task<ShellResult> RunAsync(string script, Stream? stdin, IProgress<long>? sent, IProgress<long>? lines, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(script);
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        int exitCode;
        try
        {
            using var target = lines is null ? null : new LineCountingStream(stdout, lines);
            exitCode = await ProcessRunner.StreamAsync("ssh", Arguments(script), (Stream?)target ?? stdout, stderr, new ProcessOptions { Input = stdin, InputProgress = sent }, cancellationToken);
        }
        catch (ProgramNotFoundException e)
        {
            throw new RemoteShellException(e.Message, e);
        }
        var result = new ShellResult(exitCode, Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()));
        if (result.ExitCode == OpenSsh.ConnectionFailed)
        {
            throw new RemoteShellException($"SSH to {_target.Host} failed or dropped: {LastLines(result.Stderr)}");
        }
        return result;
    }

    private static string LastLines(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no message)" : string.Join(" / ", lines.TakeLast(3));
    }

    public ValueTask DisposeAsync()
    {
        if (_directory.Exists)
        {
            _directory.Delete(recursive: true);
        }
        return ValueTask.CompletedTask;
    }
}
