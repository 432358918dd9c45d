using System.Globalization;
using Drover.Core.Processes;

namespace Drover.Core.Ssh;

/// <summary>
/// Runs commands on a machine with OpenSSH's <c>ssh</c> (no SSH library): batch mode (never a password prompt),
/// keep-alives that notice a dead link, the remote command's exit code, or 255 when SSH itself failed.
/// </summary>
public static class OpenSsh
{
    /// <summary>ssh's own exit code for "could not connect / connection lost".</summary>
    public const int ConnectionFailed = 255;

    /// <summary>ssh's arguments for running <paramref name="remoteCommand"/> (a shell command line on the machine).</summary>
    public static IReadOnlyList<string> Arguments(SshTarget target, string remoteCommand, SshOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(remoteCommand);
        options ??= new SshOptions();
        var args = new List<string>();
        if (target.IdentityFile is not null)
        {
            args.AddRange(["-i", target.IdentityFile, "-o", "IdentitiesOnly=yes"]);
        }
        if (options.KnownHostsFile is not null)
        {
            args.AddRange(["-o", $"UserKnownHostsFile={options.KnownHostsFile}"]);
        }
        if (options.IgnoreGlobalKnownHosts)
        {
            args.AddRange(["-o", "GlobalKnownHostsFile=/dev/null"]);
        }
        if (options.Ciphers is not null)
        {
            args.AddRange(["-o", $"Ciphers={options.Ciphers}"]);
        }
        args.AddRange([
            "-p", target.Port.ToString(CultureInfo.InvariantCulture),
            "-o", "BatchMode=yes",
            "-o", "StrictHostKeyChecking=accept-new",
            "-o", $"ConnectTimeout={options.ConnectTimeoutSeconds.ToString(CultureInfo.InvariantCulture)}",
            "-o", "ServerAliveInterval=10",
            "-o", "ServerAliveCountMax=3",
            "-o", "LogLevel=ERROR",
            "-T",
            $"{target.User}@{target.Host}",
            remoteCommand,
        ]);
        return args;
    }

    /// <summary>
    /// Runs <paramref name="remoteCommand"/> on <paramref name="target"/>, feeding <paramref name="stdin"/> (with
    /// progress), copying the remote stdout and stderr as they arrive. Returns the remote exit code
    /// (<see cref="ConnectionFailed"/> when SSH itself failed). Cancellation kills ssh.
    /// </summary>
    /// <exception cref="ProgramNotFoundException">ssh is not installed.</exception>
    public static Task<int> RunAsync(SshTarget target, string remoteCommand, Stream? stdin, IProgress<long>? sent, Stream stdout, Stream stderr,
        SshOptions? options = null, CancellationToken cancellationToken = default)
        => ProcessRunner.StreamAsync("ssh", Arguments(target, remoteCommand, options), stdout, stderr,
            new ProcessOptions { Input = stdin, InputProgress = sent }, cancellationToken);
}
