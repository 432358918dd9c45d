using System.Globalization;
using System.Text;

namespace Drover.Images.Remote;

/// <summary>
/// <see cref="IRemoteShell"/> over OpenSSH's <c>ssh</c> binary (no SSH library is used). Host keys are accepted on
/// first use into a private known_hosts file (a rescue system has a fresh key each boot), keep-alives detect a dead
/// connection, and the process is killed by its own handle on cancellation.
/// </summary>
public sealed class OpenSshShell : IRemoteShell
{
    private readonly SshTarget _target;
    private readonly string _knownHosts;
    private readonly DirectoryInfo _dir;

    public OpenSshShell(SshTarget target)
    {
        _target = target;
        _dir = Directory.CreateTempSubdirectory("drover-ssh-");
        _knownHosts = Path.Combine(_dir.FullName, "known_hosts");
    }

    /// <summary>Ciphers in order of preference: AES-GCM is the fastest with AES-NI; the rest are OpenSSH's defaults.</summary>
    public const string Ciphers = "aes128-gcm@openssh.com,chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-ctr";

    /// <summary>The ssh arguments for a command (exposed for the benchmark's plain-ssh baseline).</summary>
    public IReadOnlyList<string> Arguments(string remoteCommand, int connectTimeoutSeconds = 10) =>
    [
        "-i", _target.PrivateKeyFile,
        "-p", _target.Port.ToString(CultureInfo.InvariantCulture),
        "-o", "IdentitiesOnly=yes",
        "-o", "BatchMode=yes",
        "-o", "StrictHostKeyChecking=accept-new",
        "-o", $"UserKnownHostsFile={_knownHosts}",
        "-o", "GlobalKnownHostsFile=/dev/null",
        "-o", $"ConnectTimeout={connectTimeoutSeconds}",
        "-o", "ServerAliveInterval=10",
        "-o", "ServerAliveCountMax=3",
        "-o", "LogLevel=ERROR",
        "-o", $"Ciphers={Ciphers}",
        "-T",
        $"{_target.User}@{_target.Host}",
        remoteCommand,
    ];

    /// <summary>Tries to connect until it works or <paramref name="timeout"/> passes (a rescue system takes time to boot).</summary>
    public async Task WaitUntilReachableAsync(TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        string? last = null;
        while (timeProvider.GetElapsedTime(started) < timeout)
        {
            try
            {
                var r = await RunAsync("true", null, null, cancellationToken);
                if (r.ExitCode == 0)
                {
                    return;
                }
                last = r.Stderr;
            }
            catch (RemoteShellException e)
            {
                last = e.Message;
            }
            await Task.Delay(TimeSpan.FromSeconds(1), timeProvider, cancellationToken);
        }
        throw new RemoteShellException($"{_target.Host}:{_target.Port} did not accept SSH within {timeout.TotalSeconds:0} s: {last?.Trim()}");
    }

    public async Task<ShellResult> RunAsync(string script, Stream? stdin, IProgress<long>? sent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(script);
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        int exitCode;
        try
        {
            exitCode = await OpenSshProcess.RunAsync(Arguments("bash -c " + Rescue.RescueCommand.Quote(script)), stdin, sent, stdout, stderr, cancellationToken);
        }
        catch (InvalidOperationException e)
        {
            throw new RemoteShellException(e.Message, e);
        }
        var result = new ShellResult(exitCode, Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()));
        if (result.ExitCode == OpenSshProcess.SshFailure)
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
        _dir.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }
}
