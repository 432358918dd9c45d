using System.Diagnostics;

namespace Drover.Images.Upload;

/// <summary>
/// A throwaway ed25519 key pair in a private directory of its own (under a run's directory, so that a cleanup of a
/// killed run removes it too, or else under the temporary directory), made by OpenSSH's ssh-keygen; deleted on dispose.
/// </summary>
public sealed class SshKeyPair : IDisposable
{
    private readonly DirectoryInfo _dir;

    private SshKeyPair(DirectoryInfo dir, string publicKey)
    {
        _dir = dir;
        PublicKey = publicKey;
    }

    public string PrivateKeyFile => Path.Combine(_dir.FullName, "id_ed25519");
    public string PublicKey { get; }

    public static async Task<SshKeyPair> GenerateAsync(string comment, CancellationToken cancellationToken, string? parent = null)
    {
        var dir = parent is null
            ? Directory.CreateTempSubdirectory("drover-key-")
            : Directory.CreateDirectory(Path.Combine(parent, "key-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var start = new ProcessStartInfo("ssh-keygen") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in new[] { "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", Path.Combine(dir.FullName, "id_ed25519") })
            {
                start.ArgumentList.Add(a);
            }
            using var p = Process.Start(start) ?? throw new InvalidOperationException("could not start ssh-keygen");
            await p.WaitForExitAsync(cancellationToken);
            if (p.ExitCode != 0)
            {
                throw new InvalidOperationException("ssh-keygen failed: " + await p.StandardError.ReadToEndAsync(cancellationToken));
            }
            return new SshKeyPair(dir, (await File.ReadAllTextAsync(Path.Combine(dir.FullName, "id_ed25519.pub"), cancellationToken)).Trim());
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            dir.Delete(recursive: true);
            throw new InvalidOperationException("ssh-keygen is needed (install openssh-client): " + e.Message, e);
        }
        catch
        {
            dir.Delete(recursive: true);
            throw;
        }
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
