using Drover.LocalCloud.Tests.Support;
using Shouldly;
using Xunit;

namespace Drover.LocalCloud.Tests;

/// <summary><see cref="UefiDisk"/>'s image is a FAT file system another implementation (mtools) reads back.</summary>
public sealed class UefiDiskTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_image_is_a_fat_file_system_whose_startup_nsh_mtools_reads_back()
    {
        // Arrange
        if (ProcessRunner.FindOnPath("mtype") is null)
        {
            Assert.Skip("mtype (mtools) not found: it reads the image back");
        }
        using var directory = new TempDirectory();
        var file = directory.File("uefi.img");
        string[] lines = ["echo hello", "smbiosview -t 1", "reset -s"];
        await File.WriteAllBytesAsync(file, UefiDisk.StartupScript(lines), Ct);

        // Act
        var listed = await ProcessRunner.RunAsync("mdir", ["-i", file, "-b", "::/"], directory.Path, new Dictionary<string, string?>(), Ct);
        var read = await ProcessRunner.RunAsync("mtype", ["-i", file, "::/STARTUP.NSH"], directory.Path, new Dictionary<string, string?>(), Ct);

        // Assert
        listed.ExitCode.ShouldBe(0, listed.ToString());
        listed.StdOut.Trim().ShouldBe("::/STARTUP.NSH");
        read.ExitCode.ShouldBe(0, read.ToString());
        read.StdOut.ShouldBe(string.Join("\r\n", lines) + "\r\n");
    }
}
