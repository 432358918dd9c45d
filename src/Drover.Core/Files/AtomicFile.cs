using System.Text;

namespace Drover.Core.Files;

/// <summary>
/// Replaces a file in one step: the content goes to a temporary file of this process's own next to it, is flushed to
/// disk, and is renamed over the target. A reader (or a crash at any moment) sees the old file or the new one, never a
/// part of either; two writers never share a temporary file. A failure leaves no temporary file behind. A link is
/// followed (the file it points to is replaced), and a replaced file keeps its mode unless a mode is given.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="text"/> as UTF-8 (no BOM).</summary>
    public static void WriteAllText(string path, string text, UnixFileMode? mode = null)
        => WriteAllBytes(path, Encoding.UTF8.GetBytes(text ?? ""), mode);

    /// <summary>Writes <paramref name="bytes"/>; <paramref name="mode"/> sets the new file's permissions exactly, whatever the umask (e.g. 0600 for a secret).</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes, UnixFileMode? mode = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        path = Path.GetFullPath(path);
        if (File.Exists(path) && new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true) is { } target)
        {
            path = target.FullName;
        }
        if (mode is null && File.Exists(path) && !OperatingSystem.IsWindows())
        {
            mode = File.GetUnixFileMode(path);
        }
        var temp = TemporaryPathFor(path);
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (mode is { } m && !OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = m;
            }
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            if (mode is { } exact && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temp, exact); // the umask narrowed the mode it was created with
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>
    /// Puts a finished file in place: <paramref name="partial"/> (a file written to completion beside
    /// <paramref name="path"/>, e.g. by a tool) is renamed over it in one step.
    /// </summary>
    public static void Commit(string partial, string path) => File.Move(partial, path, overwrite: true);

    /// <summary>A temporary name next to <paramref name="path"/> that no other process or thread uses.</summary>
    public static string TemporaryPathFor(string path)
        => $"{path}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.{Random.Shared.Next():x}.tmp";
}
