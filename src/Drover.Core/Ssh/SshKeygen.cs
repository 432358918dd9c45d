using Drover.Core.Processes;

namespace Drover.Core.Ssh;

/// <summary>Makes ed25519 key pairs with OpenSSH's <c>ssh-keygen</c>.</summary>
public static class SshKeygen
{
    /// <summary>
    /// Writes a new key pair without a passphrase to <paramref name="privateKeyFile"/> and <c>.pub</c> beside it (the
    /// directory must exist; an existing pair is an error) and returns the public key line.
    /// </summary>
    public static async Task<string> GenerateAsync(string privateKeyFile, string comment, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(privateKeyFile);
        await ProcessRunner.CheckAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment ?? "", "-f", privateKeyFile], cancellationToken: cancellationToken);
        return (await File.ReadAllTextAsync(privateKeyFile + ".pub", cancellationToken)).Trim();
    }

    /// <summary>A new public key line whose private half is thrown away at once (for names and fingerprints in tests and demos).</summary>
    public static async Task<string> PublicKeyOnlyAsync(string comment, CancellationToken cancellationToken = default)
    {
        await using var pair = await SshKeyPair.CreateAsync(comment, cancellationToken: cancellationToken);
        return pair.PublicKey;
    }
}
