using System.Text;
using Drover.Images.Build;

namespace Drover.Images.Scan;

/// <summary>
/// Looks for secrets in an image's file system: private keys (PEM, OpenSSH, PGP; SSH host keys), API tokens (Hetzner
/// Cloud, AWS, GitHub, generic <c>api_key=</c>/<c>secret=</c>/<c>token=</c> outside documentation) and password hashes
/// in <c>/etc/shadow</c>. Symlinks are not followed, pseudo file systems are skipped, binary files are skipped, and at
/// most <see cref="MaxBytesPerFile"/> of each file is read. A finding names the file (as a path inside the image) and
/// what was found, never the secret itself.
/// </summary>
public static class SecretScanner
{
    /// <summary>How much of each file is read.</summary>
    public const int MaxBytesPerFile = 1 << 20;

    /// <summary>Top-level directories of a root file system that hold no files of the image (mount points of pseudo file systems).</summary>
    private static readonly HashSet<string> _skippedTopLevel = new(StringComparer.Ordinal) { "proc", "sys", "dev", "run", "tmp", "lost+found" };

    /// <summary>Scans the tree under <paramref name="root"/> as an image's root file system.</summary>
    public static IReadOnlyList<ScanFinding> ScanDirectory(string root, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"{root}: no such directory to scan");
        }
        var findings = new List<ScanFinding>();
        var pending = new Stack<(DirectoryInfo Dir, string ImagePath)>();
        pending.Push((new DirectoryInfo(root), ""));
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (dir, imageDir) = pending.Pop();
            IEnumerable<FileSystemInfo> entries;
            try
            {
                entries = dir.EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                findings.Add(new ScanFinding(imageDir.Length == 0 ? "/" : imageDir, "unreadable", $"directory could not be read: {e.Message}"));
                continue;
            }
            foreach (var entry in entries)
            {
                var imagePath = imageDir + "/" + entry.Name;
                if (entry.LinkTarget is not null)
                {
                    continue;
                }
                if (entry is DirectoryInfo sub)
                {
                    if (imageDir.Length == 0 && _skippedTopLevel.Contains(entry.Name))
                    {
                        continue;
                    }
                    pending.Push((sub, imagePath));
                }
                else if (entry is FileInfo file && IsRegular(file))
                {
                    findings.AddRange(ScanFile(file.FullName, imagePath));
                }
            }
        }
        return findings;
    }

    /// <summary>Scans one file whose path inside the image is <paramref name="imagePath"/> (<c>/etc/shadow</c>).</summary>
    public static IReadOnlyList<ScanFinding> ScanFile(string file, string imagePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        ArgumentException.ThrowIfNullOrEmpty(imagePath);
        string? text;
        try
        {
            text = ReadText(file);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return [new ScanFinding(imagePath, "unreadable", $"file could not be read: {e.Message}")];
        }
        if (text is null)
        {
            return [];
        }
        var findings = new List<ScanFinding>();
        if (SecretRules.IsSshHostKey(imagePath))
        {
            findings.Add(new ScanFinding(imagePath, "ssh-host-key", "SSH host private key: host keys must be generated at first boot, not baked into the image"));
        }
        else
        {
            findings.AddRange(SecretRules.PrivateKeys(imagePath, text));
        }
        if (imagePath is "/etc/shadow" or "/etc/gshadow")
        {
            findings.AddRange(SecretRules.ShadowHashes(imagePath, text));
        }
        findings.AddRange(SecretRules.Tokens(imagePath, text));
        return findings;
    }

    /// <summary>
    /// Regular files with content. FIFOs, sockets and device nodes report a length of 0 (and a FIFO would block a read),
    /// so "non-empty" is the test that needs no native call.
    /// </summary>
    private static bool IsRegular(FileInfo file) => file.Length > 0;

    /// <summary>The first <see cref="MaxBytesPerFile"/> bytes as text, or null for an empty or binary file (a NUL byte or an ELF header in the first 8 KiB).</summary>
    private static string? ReadText(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
        var buffer = new byte[MaxBytesPerFile];
        var n = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (n == 0)
        {
            return null;
        }
        var head = buffer.AsSpan(0, Math.Min(n, 8192));
        if (head.Contains((byte)0) || head.StartsWith("\u007fELF"u8))
        {
            return null;
        }
        return Encoding.UTF8.GetString(buffer, 0, n);
    }
}
