using System.Runtime.InteropServices;
using System.Text;

namespace Drover.Agent;

/// <summary>The few libc calls the agent needs (linux-x64 only).</summary>
internal static partial class NativeMethods
{
    private const int OWronly = 0x1, ONoctty = 0x100, OAppend = 0x400, OCloexec = 0x80000;

    /// <summary>sethostname(2); throws with errno on failure.</summary>
    public static void SetHostname(string hostname)
    {
        var bytes = Encoding.ASCII.GetBytes(hostname);
        if (SetHostnameNative(bytes, (nuint)bytes.Length) != 0)
        {
            throw new AgentException($"sethostname failed: {Marshal.GetLastPInvokeErrorMessage()}");
        }
    }

    /// <summary>
    /// Appends a line to a file or terminal without making it the controlling terminal (O_NOCTTY): a oneshot service
    /// is a session leader, and a plain open of a tty would adopt it.
    /// </summary>
    public static bool TryAppendLine(string path, string line)
    {
        var fd = Open(path, OWronly | ONoctty | OAppend | OCloexec);
        if (fd < 0)
        {
            return false;
        }

        try
        {
            var bytes = Encoding.UTF8.GetBytes(line + "\n");
            return Write(fd, bytes, (nuint)bytes.Length) == bytes.Length;
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "sethostname", SetLastError = true)]
    private static partial int SetHostnameNative(byte[] name, nuint length);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, byte[] buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
