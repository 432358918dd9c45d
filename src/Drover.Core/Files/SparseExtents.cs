using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Drover.Core.Files;

/// <summary>
/// The data extents of a (sparse) file, from <c>lseek</c> with <c>SEEK_DATA</c>/<c>SEEK_HOLE</c>: what a copy or an
/// upload must read; the rest are holes, zeros that cost no read.
/// </summary>
public static partial class SparseExtents
{
    private const int SeekData = 3, SeekHole = 4, ENXIO = 6;

    /// <summary>The (start, end) byte ranges that hold data; on a file system without SEEK_DATA, the whole file.</summary>
    public static IEnumerable<(long Start, long End)> DataExtents(SafeFileHandle handle, long length)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var fd = (int)handle.DangerousGetHandle();
        var offset = 0L;
        while (offset < length)
        {
            var data = Seek(fd, offset, SeekData);
            if (data < 0)
            {
                if (Marshal.GetLastPInvokeError() == ENXIO)
                {
                    yield break; // only a hole is left
                }
                yield return (offset, length);
                yield break;
            }
            if (data >= length)
            {
                yield break;
            }
            var hole = Seek(fd, data, SeekHole);
            var end = hole < 0 ? length : Math.Min(hole, length);
            yield return (data, end);
            offset = end;
        }
    }

    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    private static partial long Seek(int fd, long offset, int whence);
}
