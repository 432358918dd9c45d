using System.Text;
using Drover.Core.Files;

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

    /// <summary>Replaces the file atomically, with <paramref name="mode"/> exactly (whatever the umask).</summary>
    public void WriteBytes(string absolute, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        var target = Path(absolute);
        var directory = System.IO.Path.GetDirectoryName(target)!;
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, PublicDir);
        }

        AtomicFile.WriteAllBytes(target, content, mode);
    }

    /// <summary>Creates the directory (and parents) and sets its mode.</summary>
    public void EnsureDirectory(string absolute, UnixFileMode mode)
    {
        var path = Path(absolute);
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, mode);
    }
}
