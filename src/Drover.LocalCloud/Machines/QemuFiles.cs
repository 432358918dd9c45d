namespace Drover.LocalCloud.Machines;

/// <summary>Where one QEMU boot's files are, for its command line.</summary>
/// <param name="Disk">The server's disk (a sparse raw file).</param>
/// <param name="FirmwareVars">The server's UEFI variable store (next to its disk), null for SeaBIOS.</param>
/// <param name="Directory">The machine's own directory (QEMU's working directory: PID file, QEMU's output).</param>
/// <param name="QmpSocket">The QMP socket, relative to <paramref name="Directory"/> (a Unix socket path is short).</param>
/// <param name="ConsoleDirectory">Where <c>console.log</c> and <c>markers.log</c> go.</param>
/// <param name="MetadataPort">The server's metadata listener on the host address, which guestfwd's nc connects to.</param>
internal sealed record QemuFiles(string Disk, string? FirmwareVars, string Directory, string QmpSocket, string ConsoleDirectory, int MetadataPort);
