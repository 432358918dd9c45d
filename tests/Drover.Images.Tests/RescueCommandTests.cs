using Drover.Images.Rescue;
using Shouldly;
using Xunit;

namespace Drover.Images.Tests;

public sealed class RescueCommandTests
{
    public static TheoryData<string, ImageCompression, ImageFormat, string?, ImageCompression, string[], string[]> Cases => new()
    {
        { "raw from stdin", ImageCompression.None, ImageFormat.Raw, null, ImageCompression.None,
            ["\ntee \"$w/in\" | dd of=\"$dev\" bs=4M", "conv=notrunc$sparse,fsync", "blkdiscard -f \"$dev\"", "out=$in", "verified=stream", "openssl dgst -sha256",
                "if [ -n \"$sparse\" ]; then", "head -c \"$bytes\" \"$dev\" | sha", "the disk's discard left old data"],
            ["mkfifo \"$w/out\"", "sha256 mismatch", "qemu-img", "curl", "cat |"] },
        { "raw over a zstd wire", ImageCompression.None, ImageFormat.Raw, null, ImageCompression.Zstd,
            ["zstd -dcq | tee \"$w/in\" | dd"], ["curl"] },
        { "gzip", ImageCompression.Gzip, ImageFormat.Raw, null, ImageCompression.None,
            ["| gzip -dc | tee \"$w/out\"", "mkfifo \"$w/out\"", "wait \"$hout\""], ["out=$in"] },
        { "bzip2", ImageCompression.Bzip2, ImageFormat.Raw, null, ImageCompression.None, ["| bzip2 -dc |"], [] },
        { "xz", ImageCompression.Xz, ImageFormat.Raw, null, ImageCompression.None, ["| xz -dc -T0 |"], [] },
        { "zstd", ImageCompression.Zstd, ImageFormat.Raw, null, ImageCompression.None, ["| zstd -dcq |"], [] },
        { "qcow2", ImageCompression.None, ImageFormat.Qcow2, null, ImageCompression.None,
            ["tee \"$w/in\" | qcow2", "514649fb", "qemu-img convert -n $zero --image-opts", "qemu-img compare", "blkdiscard -f -o \"$off\""], ["head -c \"$bytes\"", "verified=stream"] },
        { "qcow2.zst", ImageCompression.Zstd, ImageFormat.Qcow2, null, ImageCompression.None, ["| zstd -dcq | qcow2"], [] },
        { "read-back", ImageCompression.Gzip, ImageFormat.Raw, null, ImageCompression.None,
            ["head -c \"$bytes\" \"$dev\" | sha", "verified=yes"], ["verified=stream"] },
        { "digest check", ImageCompression.None, ImageFormat.Raw, new string('a', 64), ImageCompression.None,
            [$"[ \"$in\" = {new string('a', 64)} ]", "exit 65"], [] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Build_makes_the_expected_pipeline(string name, ImageCompression compression, ImageFormat format, string? sha256, ImageCompression wire, string[] contains, string[] absent)
    {
        // Arrange
        var options = new WriteOptions { Compression = compression, Format = format, ExpectedSha256 = sha256, WireCompression = wire, ReadBack = name == "read-back" };

        // Act
        var script = RescueCommand.Build(options);

        // Assert
        foreach (var fragment in contains)
        {
            script.ShouldContain(fragment, Case.Sensitive, $"{name}: missing {fragment}");
        }
        foreach (var fragment in absent)
        {
            script.ShouldNotContain(fragment, Case.Sensitive, $"{name}: unexpected {fragment}");
        }
        script.ShouldStartWith("set -euo pipefail\ndev=/dev/sda\n");
    }

    [Fact]
    public void A_url_source_is_downloaded_with_curl_and_quoted()
    {
        var script = RescueCommand.Build(new WriteOptions { Compression = ImageCompression.Xz, Url = new Uri("http://198.19.255.254:8080/files/a'b/img.raw.xz") });

        script.ShouldContain("curl -fsSL --retry 3 --connect-timeout 20 'http://198.19.255.254:8080/files/a'\\''b/img.raw.xz' | tee \"$w/in\" | xz -dc -T0");
    }

    [Fact]
    public void Without_sparse_the_disk_is_not_discarded()
    {
        var script = RescueCommand.Build(new WriteOptions { Compression = ImageCompression.None, Sparse = false });

        script.ShouldNotContain("blkdiscard -f \"$dev\"");
        script.ShouldContain("sparse=\"\"");
    }

    [Theory]
    [InlineData("auto compression")]
    [InlineData("bad digest")]
    [InlineData("bad device")]
    [InlineData("ftp url")]
    [InlineData("gzip wire")]
    public void Invalid_options_are_refused(string what)
    {
        var options = what switch
        {
            "auto compression" => new WriteOptions { Compression = ImageCompression.Auto },
            "bad digest" => new WriteOptions { Compression = ImageCompression.None, ExpectedSha256 = "ABC" },
            "bad device" => new WriteOptions { Compression = ImageCompression.None, Device = "/dev/sda; rm -rf /" },
            "ftp url" => new WriteOptions { Compression = ImageCompression.None, Url = new Uri("ftp://example.invalid/x") },
            _ => new WriteOptions { Compression = ImageCompression.None, WireCompression = ImageCompression.Gzip },
        };

        Should.Throw<ArgumentException>(() => RescueCommand.Build(options));
    }

    [Fact]
    public void The_report_is_parsed()
    {
        var report = RescueReport.Parse("noise\ndrover: disk bytes=42949672960 discarded=yes\ndrover: received sha256=abc\ndrover: written bytes=1048576 sha256=def verified=yes\n");

        report.ShouldBe(new RescueReport("abc", 1048576, "def", true, true, true));
    }
}
