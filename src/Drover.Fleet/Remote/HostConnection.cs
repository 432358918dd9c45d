using System.Globalization;

namespace Drover.Fleet.Remote;

/// <summary>Where a fleet host is reached over SSH: <c>USER@ADDRESS</c>, a port, an optional private key.</summary>
public sealed record HostConnection(string User, string Address, int Port = 22, string? IdentityFile = null)
{
    /// <summary>Parses <c>USER@ADDRESS</c> (user defaults to root; an IPv6 address may be bracketed).</summary>
    public static HostConnection Parse(string target, int port = 22, string? identityFile = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        var at = target.LastIndexOf('@');
        var user = at < 0 ? "root" : target[..at];
        var address = (at < 0 ? target : target[(at + 1)..]).Trim('[', ']');
        if (user.Length == 0 || address.Length == 0 || address.Any(char.IsWhiteSpace) || user.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"'{target}' is not USER@ADDRESS", nameof(target));
        }
        return new HostConnection(user, address, port, identityFile);
    }

    public override string ToString() => $"{User}@{Address}" + (Port == 22 ? "" : $":{Port}");

    /// <summary>
    /// ssh's arguments for running <paramref name="remoteCommand"/>: batch mode (never a password prompt), host keys
    /// trusted on first use into the user's known_hosts, keep-alives to notice a dead link.
    /// </summary>
    public IReadOnlyList<string> SshArguments(string remoteCommand, string? knownHostsFile = null)
    {
        var args = new List<string>();
        if (IdentityFile is not null)
        {
            args.AddRange(["-i", IdentityFile, "-o", "IdentitiesOnly=yes"]);
        }
        if (knownHostsFile is not null)
        {
            args.AddRange(["-o", $"UserKnownHostsFile={knownHostsFile}"]);
        }
        args.AddRange([
            "-p", Port.ToString(CultureInfo.InvariantCulture),
            "-o", "BatchMode=yes",
            "-o", "StrictHostKeyChecking=accept-new",
            "-o", "ConnectTimeout=15",
            "-o", "ServerAliveInterval=10",
            "-o", "ServerAliveCountMax=3",
            "-o", "LogLevel=ERROR",
            "-T",
            $"{User}@{Address}",
            remoteCommand,
        ]);
        return args;
    }
}

/// <summary>Runs one command on a host over OpenSSH's <c>ssh</c>, streaming its output as it comes.</summary>
public static class RemoteRunner
{
    /// <summary>ssh's own exit code for "could not connect / connection lost".</summary>
    public const int SshFailure = Drover.Images.Remote.OpenSshProcess.SshFailure;

    /// <summary>
    /// Runs <paramref name="remoteCommand"/> (a shell command line on the host), feeding <paramref name="stdin"/>, copying
    /// the remote stdout and stderr to <paramref name="stdout"/>/<paramref name="stderr"/> as they arrive. Returns the
    /// remote exit code (255 when SSH itself failed). Cancellation kills the ssh process.
    /// </summary>
    public static async Task<int> RunAsync(HostConnection host, string remoteCommand, Stream? stdin, Stream stdout, Stream stderr,
        string? knownHostsFile = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        return await Drover.Images.Remote.OpenSshProcess.RunAsync(host.SshArguments(remoteCommand, knownHostsFile), stdin, null, stdout, stderr, cancellationToken);
    }
}
