using System.Runtime.InteropServices;

namespace Drover.LocalCloud.Machines;

/// <summary>The few libc calls the machine runtime needs (Linux only).</summary>
internal static partial class NativeMethods
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    /// <summary><c>O_PATH | O_CLOEXEC</c> (the same on x86_64 and aarch64): a handle on a directory, for /proc/self/fd paths.</summary>
    public const int OpenPathCloseOnExec = 0x200000 | 0x80000;

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
