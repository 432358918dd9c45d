using System.Globalization;

namespace Drover.Core.Ssh;

/// <summary>Where a machine is reached over SSH: <c>USER@HOST</c>, a port, and the private key to log in with (if any).</summary>
public sealed record SshTarget(string User, string Host, int Port = 22, string? IdentityFile = null)
{
    /// <summary>Parses <c>USER@HOST</c> (the user defaults to root; an IPv6 address may be bracketed).</summary>
    /// <exception cref="ArgumentException"><paramref name="target"/> is not of that form.</exception>
    public static SshTarget Parse(string target, int port = 22, string? identityFile = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        var at = target.LastIndexOf('@');
        var user = at < 0 ? "root" : target[..at];
        var host = (at < 0 ? target : target[(at + 1)..]).Trim('[', ']');
        if (user.Length == 0 || host.Length == 0 || host.Any(char.IsWhiteSpace) || user.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"'{target}' is not USER@ADDRESS", nameof(target));
        }
        return new SshTarget(user, host, port, identityFile);
    }

    /// <summary><c>USER@HOST</c>, with <c>:PORT</c> when it is not 22.</summary>
    public override string ToString() => $"{User}@{Host}" + (Port == 22 ? "" : string.Create(CultureInfo.InvariantCulture, $":{Port}"));
}
