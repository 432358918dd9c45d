namespace Drover.LocalCloud.Machines;

/// <summary>
/// Replaces a file in one step: the text goes to a temporary file of this process's own next to it, is flushed to
/// disk, and is renamed over the target. A reader (or a crash at any moment) sees the old file or the new one, never a
/// part of either; two writers never share a temporary file.
/// </summary>
internal static class AtomicFile
{
    public static void WriteAllText(string path, string text)
    {
        var temp = $"{path}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(text);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
