using System.Security.Cryptography;

namespace Drover.Core.Ssh;

/// <summary>
/// A throwaway ed25519 key pair in a private directory of its own (under <c>parent</c>, so that whoever cleans that up
/// removes the key too, or else under the temporary directory); deleted on dispose.
/// </summary>
public sealed class SshKeyPair : IAsyncDisposable, IDisposable
{
    private readonly DirectoryInfo _directory;

    private SshKeyPair(DirectoryInfo directory, string publicKey)
    {
        _directory = directory;
        PublicKey = publicKey;
    }

    /// <summary>The private key's path.</summary>
    public string PrivateKeyFile => Path.Combine(_directory.FullName, "id_ed25519");

    /// <summary>The public key line (<c>ssh-ed25519 AAAA... comment</c>).</summary>
    public string PublicKey { get; }

    public static async Task<SshKeyPair> CreateAsync(string comment, string? parent = null, CancellationToken cancellationToken = default)
    {
        var directory = parent is null
            ? Directory.CreateTempSubdirectory("drover-key-")
            : CreatePrivateDirectory(Path.Combine(parent, "key-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))));
        try
        {
            var publicKey = await SshKeygen.GenerateAsync(Path.Combine(directory.FullName, "id_ed25519"), comment, cancellationToken);
            return new SshKeyPair(directory, publicKey);
        }
        catch
        {
            directory.Delete(recursive: true);
            throw;
        }
    }

    private static DirectoryInfo CreatePrivateDirectory(string path) => OperatingSystem.IsWindows()
        ? Directory.CreateDirectory(path)
        : Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

    public void Dispose()
    {
        if (_directory.Exists)
        {
            _directory.Delete(recursive: true);
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
