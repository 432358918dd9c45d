using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using Drover.Core.Ssh;
using Drover.Core.Text;
using Drover.Fleet.Config;

namespace Drover.Fleet.Remote;

/// <summary>One file of a host's secrets bundle.</summary>
public sealed record SecretFile(string RelativePath, long Size, string Sha256);

/// <summary>What <see cref="SecretsSync"/> delivered.</summary>
public sealed record SecretsSyncResult(string Host, string Target, string RemotePath, IReadOnlyList<SecretFile> Files, string BundleSha256);

/// <summary>The remote side refused or failed the sync; nothing was swapped in.</summary>
public sealed class SecretsSyncException(string message, int exitCode) : Drover.Core.DroverException(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>
/// Copies a host's encrypted secrets bundle (the files under <c>secrets/&lt;host&gt;/</c> next to the fleet file) to its
/// secrets path on the host. Drover never decrypts or reads them beyond hashing. On the host the bundle is unpacked
/// into a new version directory beside the target, every file is checked against the sha256 computed here, and only
/// then is the target (a symlink to the current version) swapped with one atomic <c>rename</c>; readers see either the
/// old bundle or the new one, never a mix. Old versions are removed after the swap.
/// </summary>
public static class SecretsSync
{
    /// <summary>The local folder of a host's bundle.</summary>
    public static string BundleDirectory(FleetFile fleet, string host)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        return Path.Combine(fleet.BaseDirectory, "secrets", host);
    }

    /// <summary>The bundle's files, sorted, with their sizes and hashes. Symlinks and special files are refused.</summary>
    public static IReadOnlyList<SecretFile> Inventory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"no secrets bundle: {directory} does not exist");
        }
        var files = new List<SecretFile>();
        foreach (var path in Directory.EnumerateFileSystemEntries(directory, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is not null)
            {
                throw new FleetException($"{path} is a symlink; a secrets bundle holds regular files only");
            }
            if (Directory.Exists(path))
            {
                continue;
            }
            var relative = Path.GetRelativePath(directory, path).Replace('\\', '/');
            if (relative.Contains('\n', StringComparison.Ordinal) || relative.Contains('\'', StringComparison.Ordinal))
            {
                throw new FleetException($"{path}: file names with quotes or newlines are not supported");
            }
            using var stream = File.OpenRead(path);
            files.Add(new SecretFile(relative, info.Length, Convert.ToHexStringLower(SHA256.HashData(stream))));
        }
        if (files.Count == 0)
        {
            throw new FleetException($"the secrets bundle {directory} is empty");
        }
        files.Sort((a, b) => string.CompareOrdinal(a.RelativePath, b.RelativePath));
        return files;
    }

    /// <summary>The digest of the whole bundle: sha256 over the sorted "sha256  path" lines.</summary>
    public static string BundleDigest(IReadOnlyList<SecretFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var manifest = string.Concat(files.Select(f => $"{f.Sha256}  {f.RelativePath}\n"));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(manifest)));
    }

    /// <summary>The script the host runs: unpack from stdin into a new version, verify, swap, prune. Exit 65: a hash differs.</summary>
    public static string RemoteScript(string remotePath, IReadOnlyList<SecretFile> files, string bundleDigest)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(remotePath);
        ArgumentNullException.ThrowIfNull(files);
        if (!remotePath.StartsWith('/') || remotePath.TrimEnd('/') == "" || remotePath.Contains('\'', StringComparison.Ordinal))
        {
            throw new ArgumentException($"the secrets path must be absolute and not '/': '{remotePath}'", nameof(remotePath));
        }
        var dest = remotePath.TrimEnd('/');
        var manifest = string.Concat(files.Select(f => $"{f.Sha256}  ./{f.RelativePath}\n"));
        var version = bundleDigest[..16];
        return $$"""
            set -eu
            umask 077
            dest='{{dest}}'
            parent=$(dirname "$dest"); base=$(basename "$dest")
            mkdir -p "$parent"
            new="$parent/.$base.{{version}}.$$"
            trap 'rm -rf "$new" "$parent/.$base.link.$$"' EXIT
            mkdir -m 0700 "$new"
            tar -x -C "$new" --no-same-owner -f -
            cd "$new"
            if ! sha256sum --quiet --strict -c - <<'DROVER_MANIFEST'
            {{manifest}}DROVER_MANIFEST
            then
              echo "secrets: a file's sha256 differs after transfer; nothing was swapped in" >&2
              exit 65
            fi
            count=$(find . -type f | wc -l)
            if [ "$count" -ne {{files.Count}} ]; then echo "secrets: expected {{files.Count}} files, found $count" >&2; exit 65; fi
            cd /
            final="$parent/.$base.{{version}}"
            rm -rf "$final"; mv "$new" "$final"
            if [ -d "$dest" ] && [ ! -L "$dest" ]; then
              # First sync over a plain directory: move it aside once; from now on $dest is a symlink swapped atomically.
              mv "$dest" "$parent/.$base.pre-drover.$$"
            fi
            ln -s ".$base.{{version}}" "$parent/.$base.link.$$"
            mv -T "$parent/.$base.link.$$" "$dest"
            for old in "$parent"/.$base.*; do
              case "$old" in "$final") ;; *) [ -e "$old" ] && rm -rf "$old" ;; esac
            done
            echo "{{bundleDigest}}" > "$final/.drover-bundle"
            chmod 0400 "$final/.drover-bundle"
            echo "ok {{bundleDigest}}"
            """;
    }

    /// <summary>Streams the bundle as a tar archive (regular files, mode 0400) for the remote script.</summary>
    public static async Task WriteTarAsync(string directory, IReadOnlyList<SecretFile> files, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        await using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        foreach (var dir in files.Select(f => Path.GetDirectoryName(f.RelativePath)!.Replace('\\', '/')).Where(d => d.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "./" + dir + "/") { Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute }, cancellationToken);
        }
        foreach (var file in files)
        {
            var full = Path.Combine(directory, file.RelativePath);
            await using var data = File.OpenRead(full);
            var entry = new PaxTarEntry(TarEntryType.RegularFile, "./" + file.RelativePath)
            {
                Mode = UnixFileMode.UserRead,
                DataStream = data,
                ModificationTime = DateTimeOffset.UnixEpoch,
            };
            await writer.WriteEntryAsync(entry, cancellationToken);
        }
    }

    /// <summary>Syncs the bundle; throws <see cref="SecretsSyncException"/> when the host refuses it.</summary>
    public static async Task<SecretsSyncResult> SyncAsync(FleetFile fleet, HostSpec host, SshTarget target, string? knownHostsFile = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(target);
        var directory = BundleDirectory(fleet, host.Name);
        var files = Inventory(directory);
        var digest = BundleDigest(files);
        var script = RemoteScript(host.SecretsPath, files, digest);
        using var tar = new MemoryStream();
        await WriteTarAsync(directory, files, tar, cancellationToken);
        tar.Position = 0;
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        var exit = await OpenSsh.RunAsync(target, "sh -c " + ShellQuote.Quote(script), tar, null, stdout, stderr, new SshOptions { KnownHostsFile = knownHostsFile }, cancellationToken);
        var err = Encoding.UTF8.GetString(stderr.ToArray()).Trim();
        if (exit == OpenSsh.ConnectionFailed)
        {
            throw new SecretsSyncException($"SSH to {target} failed: {err}", exit);
        }
        if (exit != 0 || !Encoding.UTF8.GetString(stdout.ToArray()).Contains($"ok {digest}", StringComparison.Ordinal))
        {
            throw new SecretsSyncException($"the host refused the bundle (exit {exit}): {err}", exit == 0 ? 1 : exit);
        }
        return new SecretsSyncResult(host.Name, target.ToString(), host.SecretsPath, files, digest);
    }
}
