using System.Runtime.InteropServices;

namespace Drover.LocalCloud.Machines;

/// <summary>The few libc calls the machine runtime needs (Linux only).</summary>
internal static partial class NativeMethods
{
    public const int SeekData = 3;
    public const int SeekHole = 4;
    public const int SigTerm = 15;
    public const int SigKill = 9;

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    public static partial long Seek(int fd, long offset, int whence);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
