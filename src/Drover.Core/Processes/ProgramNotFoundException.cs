namespace Drover.Core.Processes;

/// <summary>A program Drover needs is not installed; the message names the Debian package that has it.</summary>
public sealed class ProgramNotFoundException(string program, Exception? innerException = null)
    : DroverException($"{program} is needed but not installed{Hint(program)}", innerException)
{
    public string Program { get; } = program;

    private static string Hint(string program) => Path.GetFileName(program) switch
    {
        "ssh" or "ssh-keygen" => " (install openssh-client)",
        "sshd" => " (install openssh-server)",
        "zstd" => " (install zstd)",
        "qemu-system-x86_64" => " (install qemu-system-x86)",
        "qemu-system-aarch64" => " (install qemu-system-arm)",
        "qemu-img" => " (install qemu-utils)",
        "mmdebstrap" => " (install mmdebstrap)",
        "nix" => " (install nix-bin)",
        "ip" => " (install iproute2)",
        "losetup" or "mount" or "unshare" or "blockdev" => " (install util-linux)",
        "debugfs" or "mkfs.ext4" => " (install e2fsprogs)",
        "sfdisk" => " (install fdisk)",
        _ => "",
    };
}
