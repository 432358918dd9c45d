using System.Diagnostics;
using System.Text.Json;
using Drover.Hcloud.Contracts;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Cli.Tests;

/// <summary>
/// 'drover image upload' on the local cloud with real rescue systems (skipped, with the reason, where the local cloud
/// runs API-only): the acceptance flow, and a real SIGINT to a running upload.
/// </summary>
[MachineTier]
public sealed class UploadCliTests : IAsyncLifetime
{
    private readonly CliRunner _cli = new();
    private string _image = "";

    public async ValueTask InitializeAsync()
    {
        var raw = Path.Combine(_cli.Home, "some.raw");
        await using (var f = File.Create(raw))
        {
            var data = new byte[4 << 20];
            new Random(3).NextBytes(data);
            f.Write(data);
            f.SetLength(20 << 20);
        }
        using var zstd = Process.Start(new ProcessStartInfo("zstd", ["-q", "--rm", raw, "-o", raw + ".zst"]) { UseShellExecute = false })!;
        await zstd.WaitForExitAsync();
        _image = raw + ".zst";
    }

    public ValueTask DisposeAsync() => _cli.DisposeAsync();

    private async Task SkipUnlessMachinesAsync()
    {
        var status = await _cli.RunAsync("local", "status", "-o", "json");
        using var json = JsonDocument.Parse(status.Stdout);
        var machine = json.RootElement.GetProperty("machine");
        if (machine.GetProperty("mode").GetString() != "machines")
        {
            Assert.Skip("the local cloud runs API-only here: " + machine.GetProperty("reason").GetString());
        }
    }

    [Fact]
    public async Task Upload_prints_the_snapshot_a_second_upload_is_skipped_and_nothing_is_left()
    {
        await SkipUnlessMachinesAsync();

        var first = await _cli.RunAsync("image", "upload", "--image-path", _image, "--allow-unscanned", "--architecture", "x86", "--labels", "os=debian,role=base", "-o", "json");
        var listed = await _cli.RunAsync("image", "list", "-l", "os=debian", "-o", "json");
        var second = await _cli.RunAsync("image", "upload", "--image-path", _image, "--allow-unscanned", "--architecture", "x86", "--labels", "os=debian,role=base", "-o", "json");
        var servers = await _cli.RunAsync("server", "list", "-o", "json");
        var keys = await _cli.RunAsync("ssh-key", "list", "-o", "json");

        first.ExitCode.ShouldBe(0, first.ToString());
        var snapshot = JsonSerializer.Deserialize(first.Stdout, HcloudJsonContext.Default.Image)!;
        snapshot.Type.ShouldBe(ImageType.Snapshot);
        snapshot.Labels["os"].ShouldBe("debian");
        snapshot.Labels.Keys.ShouldContain("drover/digest");
        JsonSerializer.Deserialize(listed.Stdout, HcloudJsonContext.Default.IReadOnlyListImage)!.Single().Id.ShouldBe(snapshot.Id);
        second.ExitCode.ShouldBe(0, second.ToString());
        second.Stderr.ShouldContain("already holds this image");
        JsonSerializer.Deserialize(second.Stdout, HcloudJsonContext.Default.Image)!.Id.ShouldBe(snapshot.Id);
        servers.Stdout.Trim().ShouldBe("[]");
        keys.Stdout.Trim().ShouldBe("[]");
    }

    [Fact]
    public async Task A_wrong_digest_fails_clearly_and_creates_nothing()
    {
        await SkipUnlessMachinesAsync();

        var result = await _cli.RunAsync("image", "upload", "--image-path", _image, "--allow-unscanned", "--architecture", "x86", "--sha256", new string('a', 64));

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldContain("not the expected");
        (await _cli.RunAsync("image", "list", "--type", "snapshot", "-o", "json")).Stdout.Trim().ShouldBe("[]");
        (await _cli.RunAsync("server", "list", "-o", "json")).Stdout.Trim().ShouldBe("[]");
    }

    [Fact]
    public async Task Sigint_during_an_upload_deletes_everything_it_created()
    {
        await SkipUnlessMachinesAsync();
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { _cli.Environment["DROVER_SELF"]!, "image", "upload", "--image-path", _image, "--allow-unscanned", "--architecture", "x86", "--force" })
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["HOME"] = _cli.Home;
        start.Environment.Remove("HCLOUD_TOKEN");
        start.Environment.Remove("HCLOUD_ENDPOINT");
        using var upload = Process.Start(start)!;
        _ = upload.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);

        // Wait until the temporary server exists and boots, then press Ctrl-C.
        string? line;
        var seen = new List<string>();
        while ((line = await upload.StandardError.ReadLineAsync(TestContext.Current.CancellationToken)) is not null)
        {
            seen.Add(line);
            if (line.Contains("==> connect over SSH", StringComparison.Ordinal))
            {
                using var kill = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "kill -INT \"$1\"", "sh", upload.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
                await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
                break;
            }
        }
        var rest = await upload.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await upload.WaitForExitAsync(TestContext.Current.CancellationToken);

        line.ShouldNotBeNull($"the upload never reached the SSH step: {string.Join('\n', seen)}");
        upload.ExitCode.ShouldBe(130, rest);
        (await _cli.RunAsync("server", "list", "-o", "json")).Stdout.Trim().ShouldBe("[]");
        (await _cli.RunAsync("ssh-key", "list", "-o", "json")).Stdout.Trim().ShouldBe("[]");
        (await _cli.RunAsync("image", "list", "--type", "snapshot", "-o", "json")).Stdout.Trim().ShouldBe("[]");
    }
}
