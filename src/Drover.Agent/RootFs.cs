using System.Text;

namespace Drover.Agent;

/// <summary>File writes inside the agent's root: parent directories created, content replaced atomically, modes set.</summary>
internal sealed class RootFs(string root)
{
    public const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode Public = Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    public const UnixFileMode PrivateDir = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode PublicDir = PrivateDir | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    public string Root => root;

    /// <summary>The real path of an absolute path of the configured system.</summary>
    public string Path(string absolute) => RootedPath.Combine(root, absolute);

    public bool Exists(string absolute) => File.Exists(Path(absolute)) || Directory.Exists(Path(absolute));

    public string? ReadText(string absolute) => File.Exists(Path(absolute)) ? File.ReadAllText(Path(absolute)) : null;

    public void WriteText(string absolute, string content, UnixFileMode mode) => WriteBytes(absolute, Encoding.UTF8.GetBytes(content), mode);

    /// <summary>Writes through a temporary file created with <paramref name="mode"/> and renamed over the target.</summary>
    public void WriteBytes(string absolute, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        var target = Path(absolute);
        var directory = System.IO.Path.GetDirectoryName(target)!;
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, PublicDir);
        }

        var temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(target)}.drover-agent.tmp");
        try
        {
            using (var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                UnixCreateMode = mode,
            }))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.SetUnixFileMode(temp, mode); // an old temp file keeps its mode on FileMode.Create
            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Creates the directory (and parents) and sets its mode.</summary>
    public void EnsureDirectory(string absolute, UnixFileMode mode)
    {
        var path = Path(absolute);
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, mode);
    }
}
