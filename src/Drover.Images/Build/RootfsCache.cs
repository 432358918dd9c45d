using System.Security.Cryptography;
using System.Text;

namespace Drover.Images.Build;

/// <summary>
/// Finished (bootstrapped, not yet customised) root file systems as <c>rootfs-KEY.tar.zst</c>, keyed by the sha256 of
/// the suite, the package list and the apt sources. Stored atomically (temporary file, then rename); restored with
/// <c>zstd -dc | tar --numeric-owner -xpf -</c> in a few seconds instead of a bootstrap's minute and a half.
/// </summary>
public sealed class RootfsCache(string directory)
{
    public string Directory { get; } = directory;

    /// <summary><c>$XDG_CACHE_HOME/drover/rootfs</c>, else <c>~/.cache/drover/rootfs</c>.</summary>
    public static string DefaultDirectory(Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        var xdg = env("XDG_CACHE_HOME");
        var root = string.IsNullOrEmpty(xdg)
            ? Path.Combine(env("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
            : xdg;
        return Path.Combine(root, "drover", "rootfs");
    }

    /// <summary>The cache key: lowercase hex sha256 over suite, sorted packages, sources and (other than x86) the architecture.</summary>
    public static string Key(string suite, IEnumerable<string> packages, IEnumerable<string> sources, string architecture = "x86")
    {
        var text = $"suite={suite}\npackages={string.Join(',', packages.Order(StringComparer.Ordinal))}\nsources={string.Join('|', sources)}\nvariant=minbase\n"
            + (architecture == "x86" ? "" : $"architecture={architecture}\n");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    public string PathFor(string key) => Path.Combine(Directory, $"rootfs-{key}.tar.zst");

    /// <summary>
    /// An exclusive lock on <paramref name="key"/> across processes (an advisory lock on <c>rootfs-KEY.lock</c>, released
    /// when disposed or when the process dies), so parallel builds bootstrap once and the rest restore.
    /// </summary>
    public async Task<IAsyncDisposable> LockAsync(string key, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = Path.Combine(Directory, $"rootfs-{key}.lock");
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), TimeProvider.System, cancellationToken);
            }
        }
    }

    /// <summary>Unpacks the cached tree for <paramref name="key"/> into the empty <paramref name="target"/>; false when there is none.</summary>
    public async Task<bool> TryRestoreAsync(string key, string target, CancellationToken cancellationToken)
    {
        var file = PathFor(key);
        if (!File.Exists(file))
        {
            return false;
        }
        System.IO.Directory.CreateDirectory(target);
        await Tool.BashAsync("restore rootfs", """zstd -q -dc -- "$1" | tar --numeric-owner --xattrs --xattrs-include='*' -C "$2" -xpf -""", [file, target], cancellationToken);
        return true;
    }

    /// <summary>Stores <paramref name="source"/> under <paramref name="key"/> (replacing an older copy atomically).</summary>
    public async Task StoreAsync(string key, string source, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var file = PathFor(key);
        var partial = $"{file}.{Guid.NewGuid():N}.partial";
        try
        {
            await Tool.BashAsync("cache rootfs", """tar --numeric-owner --xattrs --xattrs-include='*' -C "$1" -cf - . | zstd -q -T0 -3 -o "$2" """, [source, partial], cancellationToken);
            File.Move(partial, file, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
    }
}
