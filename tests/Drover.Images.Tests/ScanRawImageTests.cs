using Drover.Images.Scan;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Images.Tests;

/// <summary>
/// <see cref="RawImageScanner"/> over small disk images made like the builder makes them (mkfs.ext4 -d, sfdisk, dd; no
/// root, no loop device). Skipped where e2fsprogs or fdisk are missing.
/// </summary>
public sealed class ScanRawImageTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("drover-scan-raw-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static void RequireTools()
    {
        foreach (var tool in new[] { "/usr/sbin/mkfs.ext4", "/usr/sbin/debugfs", "/usr/sbin/sfdisk" })
        {
            if (!File.Exists(tool))
            {
                Assert.Skip($"needs {tool} (e2fsprogs, fdisk)");
            }
        }
    }

    /// <summary>An MBR disk with one ext4 partition at 1 MiB holding <paramref name="tree"/>.</summary>
    private async Task<string> DiskAsync(string tree, string type = "83", bool ext4 = true)
    {
        var fs = Path.Combine(_dir.FullName, "fs.img");
        var disk = Path.Combine(_dir.FullName, "disk.raw");
        if (ext4)
        {
            await TestProcess.CheckAsync("/usr/sbin/mkfs.ext4", "-q", "-F", "-L", "root", "-d", tree, fs, "16M");
        }
        else
        {
            await File.WriteAllBytesAsync(fs, [.. Enumerable.Repeat((byte)0x42, 1 << 16)]);
        }
        await using (var d = File.Create(disk))
        {
            d.SetLength(18 << 20);
        }
        var table = Path.Combine(_dir.FullName, "table");
        await File.WriteAllTextAsync(table, $"label: dos\nstart=2048, size=32768, type={type}, bootable\n");
        var (exit, _, err) = await TestProcess.RunAsync("/usr/sbin/sfdisk", ["-q", disk], stdinFile: table);
        exit.ShouldBe(0, err);
        await TestProcess.CheckAsync("dd", $"if={fs}", $"of={disk}", "bs=1M", "seek=1", "conv=notrunc,sparse", "status=none");
        return disk;
    }

    private string Tree(params (string Path, string Text)[] files)
    {
        var tree = Path.Combine(_dir.FullName, "tree-" + Guid.NewGuid().ToString("N"));
        foreach (var (path, text) in files)
        {
            var full = Path.Combine(tree, path.TrimStart('/'));
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }
        Directory.CreateDirectory(tree);
        return tree;
    }

    [Fact]
    public async Task A_key_inside_an_ext4_partition_is_found_with_its_path()
    {
        RequireTools();
        var keyDir = Directory.CreateTempSubdirectory("drover-scan-raw-key-");
        string key;
        try
        {
            await TestProcess.CheckAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(keyDir.FullName, "k"));
            key = await File.ReadAllTextAsync(Path.Combine(keyDir.FullName, "k"), TestContext.Current.CancellationToken);
        }
        finally
        {
            keyDir.Delete(recursive: true);
        }
        var disk = await DiskAsync(Tree(("/etc/foo/id_rsa", key), ("/etc/hostname", "web1\n")));

        var scan = await RawImageScanner.ScanRawImageAsync(disk, TestContext.Current.CancellationToken);

        scan.Scanned.ShouldBeTrue();
        var finding = scan.Findings.ShouldHaveSingleItem();
        finding.Path.ShouldBe("/etc/foo/id_rsa");
        finding.Kind.ShouldBe("private-key");
    }

    [Fact]
    public async Task A_clean_image_is_scanned_without_findings()
    {
        RequireTools();
        var disk = await DiskAsync(Tree(("/etc/hostname", "web1\n"), ("/etc/shadow", "root:*:19000:0:99999:7:::\n")));

        var scan = await RawImageScanner.ScanRawImageAsync(disk, TestContext.Current.CancellationToken);

        scan.ShouldBe(new Build.ImageScan(true, scan.Findings));
        scan.Findings.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_partition_with_an_unknown_file_system_makes_the_image_not_scanned()
    {
        RequireTools();
        var disk = await DiskAsync(Tree(), type: "c", ext4: false);

        var scan = await RawImageScanner.ScanRawImageAsync(disk, TestContext.Current.CancellationToken);

        scan.Scanned.ShouldBeFalse();
        scan.Reason.ShouldNotBeNull().ShouldContain("partition 1");
    }

    [Fact]
    public async Task A_key_on_an_efi_system_partition_is_found_and_an_empty_one_scans_clean()
    {
        RequireTools();
        foreach (var tool in new[] { "/usr/sbin/mkfs.vfat", "/usr/bin/mcopy" })
        {
            if (!File.Exists(tool))
            {
                Assert.Skip($"needs {tool} (dosfstools, mtools)");
            }
        }
        var ct = TestContext.Current.CancellationToken;
        var keyFile = Path.Combine(_dir.FullName, "k");
        await TestProcess.CheckAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", keyFile);
        // GPT: an EFI system partition (FAT32) and an ext4 root, as the debian builder lays them out.
        var disk = Path.Combine(_dir.FullName, "gpt.raw");
        var esp = Path.Combine(_dir.FullName, "esp.img");
        var root = Path.Combine(_dir.FullName, "root.img");
        await TestProcess.CheckAsync("/usr/sbin/mkfs.vfat", "-C", "-F", "32", "-s", "1", esp, (34 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await TestProcess.CheckAsync("/usr/sbin/mkfs.ext4", "-q", "-F", "-L", "root", "-d", Tree(("/etc/hostname", "web1\n")), root, "8M");
        await using (var d = File.Create(disk))
        {
            d.SetLength(44 << 20);
        }
        var table = Path.Combine(_dir.FullName, "gpt-table");
        await File.WriteAllTextAsync(table, "label: gpt\nstart=2048, size=69632, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\nstart=71680, size=16384\n", ct);
        var (exit, _, err) = await TestProcess.RunAsync("/usr/sbin/sfdisk", ["-q", disk], stdinFile: table);
        exit.ShouldBe(0, err);
        await TestProcess.CheckAsync("dd", $"if={esp}", $"of={disk}", "bs=512", "seek=2048", "conv=notrunc,sparse", "status=none");
        await TestProcess.CheckAsync("dd", $"if={root}", $"of={disk}", "bs=512", "seek=71680", "conv=notrunc,sparse", "status=none");

        var empty = await RawImageScanner.ScanRawImageAsync(disk, ct);
        await TestProcess.CheckAsync("/usr/bin/mmd", "-i", $"{disk}@@{2048 * 512}", "::/EFI");
        await TestProcess.CheckAsync("/usr/bin/mcopy", "-i", $"{disk}@@{2048 * 512}", keyFile, "::/EFI/id_ed25519");
        var planted = await RawImageScanner.ScanRawImageAsync(disk, ct);
        var espOnly = await RawImageScanner.ScanFatPartitionsAsync(disk, ct);

        empty.ShouldBe(new Build.ImageScan(true, empty.Findings));
        empty.Findings.ShouldBeEmpty();
        planted.Scanned.ShouldBeTrue();
        var finding = planted.Findings.ShouldHaveSingleItem();
        finding.Path.ShouldBe("partition 1:/EFI/id_ed25519");
        finding.Kind.ShouldBe("private-key");
        espOnly.ShouldHaveSingleItem().ShouldBe(finding);
    }

    [Fact]
    public async Task A_compressed_image_is_not_scanned_and_says_why()
    {
        var file = Path.Combine(_dir.FullName, "disk.raw.zst");
        await File.WriteAllBytesAsync(file, [0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0], TestContext.Current.CancellationToken);

        var scan = await RawImageScanner.ScanRawImageAsync(file, TestContext.Current.CancellationToken);

        scan.Scanned.ShouldBeFalse();
        scan.Reason.ShouldNotBeNull().ShouldContain("compressed");
    }
}
