using Drover.Images.Rescue;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Images.Tests;

/// <summary>
/// Runs the generated rescue script with bash against a loop device over a sparse file (needs root and losetup),
/// then compares the device with the source image byte for byte.
/// </summary>
[MachineTier]
public sealed class RescueScriptTests : IAsyncLifetime
{
    private const long DiskBytes = 64L << 20;
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("drover-rescue-script-");
    private string _loop = "";
    private string _raw = "";

    public async ValueTask InitializeAsync()
    {
        if (Environment.UserName != "root" || !File.Exists("/usr/sbin/losetup"))
        {
            return;
        }
        _raw = Path.Combine(_dir.FullName, "image.raw");
        // 3 MiB of random data, 1 MiB of a pattern at 8 MiB, zeros up to 16 MiB.
        await using (var f = File.Create(_raw))
        {
            var random = new byte[3 << 20];
            new Random(42).NextBytes(random);
            f.Write(random);
            f.Seek(8 << 20, SeekOrigin.Begin);
            f.Write(Enumerable.Repeat((byte)0x5a, 1 << 20).ToArray());
            f.SetLength(16 << 20);
        }
        var disk = Path.Combine(_dir.FullName, "disk.raw");
        await using (var d = File.Create(disk))
        {
            d.SetLength(DiskBytes);
        }
        _loop = (await TestProcess.CheckAsync("losetup", "-f", "--show", disk)).Trim();
    }

    public async ValueTask DisposeAsync()
    {
        if (_loop.Length > 0)
        {
            await TestProcess.RunAsync("losetup", ["-d", _loop]);
        }
        _dir.Delete(recursive: true);
    }

    private void SkipUnlessLoopDevice()
    {
        if (_loop.Length == 0)
        {
            Assert.Skip("needs root and losetup to write a loop device");
        }
    }

    private async Task<string> Compress(string tool, string suffix, params string[] flags)
    {
        if (suffix.Length == 0)
        {
            return _raw;
        }
        var output = _raw + suffix;
        var (exit, _, stderr) = await TestProcess.RunAsync("bash", ["-c", $"{tool} {string.Join(' ', flags)} < '{_raw}' > '{output}'"]);
        exit.ShouldBe(0, stderr);
        return output;
    }

    private async Task<(int Exit, string Stdout, string Stderr)> Write(string file, WriteOptions options)
        => await TestProcess.RunAsync("bash", ["-c", RescueCommand.Build(options with { Device = _loop })], file);

    private async Task DeviceShouldHoldTheImage()
    {
        var (exit, _, stderr) = await TestProcess.RunAsync("cmp", ["-n", (16 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture), _raw, _loop]);
        exit.ShouldBe(0, $"the device differs from the image: {stderr}");
    }

    [Theory]
    [InlineData(ImageCompression.None, "cat", "")]
    [InlineData(ImageCompression.Gzip, "gzip", ".gz")]
    [InlineData(ImageCompression.Bzip2, "bzip2", ".bz2")]
    [InlineData(ImageCompression.Xz, "xz -T0", ".xz")]
    [InlineData(ImageCompression.Zstd, "zstd -q", ".zst")]
    public async Task A_raw_image_is_written_byte_for_byte(ImageCompression compression, string tool, string suffix)
    {
        SkipUnlessLoopDevice();
        var file = await Compress(tool, suffix);

        var (exit, stdout, stderr) = await Write(file, new WriteOptions { Compression = compression });

        exit.ShouldBe(0, stderr);
        var report = RescueReport.Parse(stdout);
        report.Verified.ShouldBeTrue(stdout);
        report.WrittenBytes.ShouldBe(16L << 20);
        report.ReceivedSha256.ShouldBe(Sha256(file));
        await DeviceShouldHoldTheImage();
    }

    [Fact]
    public async Task Read_back_verification_reads_the_written_bytes_again()
    {
        SkipUnlessLoopDevice();
        var gz = await Compress("gzip", ".gz");

        var (exit, stdout, stderr) = await Write(gz, new WriteOptions { Compression = ImageCompression.Gzip, ReadBack = true });

        exit.ShouldBe(0, stderr);
        RescueReport.Parse(stdout).ReadBack.ShouldBeTrue(stdout);
        await DeviceShouldHoldTheImage();
    }

    [Fact]
    public async Task A_zstd_wire_is_decompressed_and_the_digest_is_of_the_file()
    {
        SkipUnlessLoopDevice();
        var wire = await Compress("zstd -q -1", ".wire.zst");

        var (exit, stdout, stderr) = await Write(wire, new WriteOptions { Compression = ImageCompression.None, WireCompression = ImageCompression.Zstd, ExpectedSha256 = Sha256(_raw) });

        exit.ShouldBe(0, stderr);
        RescueReport.Parse(stdout).ReceivedSha256.ShouldBe(Sha256(_raw));
        await DeviceShouldHoldTheImage();
    }

    [Theory]
    [InlineData(ImageCompression.None, "cat", "")]
    [InlineData(ImageCompression.Zstd, "zstd -q", ".zst")]
    public async Task A_qcow2_image_is_converted_in_place(ImageCompression compression, string tool, string suffix)
    {
        SkipUnlessLoopDevice();
        var qcow2 = _raw + ".qcow2";
        await TestProcess.CheckAsync("qemu-img", "convert", "-f", "raw", "-O", "qcow2", _raw, qcow2);
        var file = compression == ImageCompression.None ? qcow2 : await CompressFile(qcow2, tool, suffix);

        var (exit, stdout, stderr) = await Write(file, new WriteOptions { Compression = compression, Format = ImageFormat.Qcow2 });

        exit.ShouldBe(0, stderr);
        RescueReport.Parse(stdout).Verified.ShouldBeTrue(stdout);
        await DeviceShouldHoldTheImage();
        // The scratch area past the virtual size was discarded again.
        var tail = await TestProcess.CheckAsync("bash", "-c", $"dd if={_loop} bs=1M skip=16 status=none | tr -d '\\0' | wc -c");
        tail.Trim().ShouldBe("0");
    }

    [Fact]
    public async Task A_wrong_digest_fails_with_exit_code_65()
    {
        SkipUnlessLoopDevice();

        var (exit, _, stderr) = await Write(_raw, new WriteOptions { Compression = ImageCompression.None, ExpectedSha256 = new string('0', 64) });

        exit.ShouldBe(RescueCommand.ExitDigestMismatch);
        stderr.ShouldContain("sha256 mismatch");
    }

    [Fact]
    public async Task Corrupt_compressed_input_fails()
    {
        SkipUnlessLoopDevice();
        var gz = await Compress("gzip", ".gz");
        var bytes = await File.ReadAllBytesAsync(gz, TestContext.Current.CancellationToken);
        bytes.AsSpan(bytes.Length / 2, 4096).Fill(0x42);
        await File.WriteAllBytesAsync(gz, bytes, TestContext.Current.CancellationToken);

        var (exit, _, stderr) = await Write(gz, new WriteOptions { Compression = ImageCompression.Gzip });

        exit.ShouldNotBe(0);
        stderr.ShouldContain("gzip");
    }

    [Fact]
    public async Task An_image_larger_than_the_disk_fails_with_exit_code_68()
    {
        SkipUnlessLoopDevice();
        var big = Path.Combine(_dir.FullName, "big.raw");
        await using (var f = File.Create(big))
        {
            f.Seek(DiskBytes + (1 << 20), SeekOrigin.Begin);
            f.WriteByte(1);
        }

        var (exit, _, stderr) = await Write(big, new WriteOptions { Compression = ImageCompression.None });

        exit.ShouldBe(RescueCommand.ExitTooLarge, stderr);
        stderr.ShouldContain("larger than the disk");
    }

    [Fact]
    public async Task A_file_that_is_not_qcow2_is_refused_as_qcow2()
    {
        SkipUnlessLoopDevice();

        var (exit, _, stderr) = await Write(_raw, new WriteOptions { Compression = ImageCompression.None, Format = ImageFormat.Qcow2 });

        exit.ShouldBe(RescueCommand.ExitNotQcow2, stderr);
    }

    private static async Task<string> CompressFile(string path, string tool, string suffix)
    {
        var (exit, _, stderr) = await TestProcess.RunAsync("bash", ["-c", $"{tool} < '{path}' > '{path}{suffix}'"]);
        exit.ShouldBe(0, stderr);
        return path + suffix;
    }

    private static string Sha256(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(f));
    }
}
