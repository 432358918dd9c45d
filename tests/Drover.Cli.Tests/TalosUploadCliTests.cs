using System.Globalization;
using System.Text.Json;
using Drover.Core.Processes;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Cli.Tests;

/// <summary>
/// 'drover talos build --upload' against an in-process local cloud with real rescue systems (skipped, with the reason,
/// where it runs API-only). The cloud serves a directory laid out as the Image Factory's download paths, and
/// <c>--factory</c> points the manifests at it, so the rescue systems download the xz images as they would from
/// factory.talos.dev.
/// </summary>
[MachineTier]
public sealed class TalosUploadCliTests : IAsyncLifetime
{
    private const string Schematic = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba";
    private const long ImageBytes = 20L << 20;

    private readonly CliRunner _cli = new();
    private TestLocalCloud _cloud = null!;
    private string? _skip;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Site => Path.Combine(_cli.Home, "factory");

    public async ValueTask InitializeAsync()
    {
        (_cloud, _skip) = await TestLocalCloud.StartWithMachinesAsync(Path.Combine(_cli.Home, "state"));
        _cli.Environment["HCLOUD_ENDPOINT"] = _cloud.Endpoint.ToString();
        _cli.Environment["HCLOUD_TOKEN"] = _cloud.Options.Token;
    }

    public async ValueTask DisposeAsync()
    {
        await _cloud.DisposeAsync();
        _cli.Dispose();
    }

    [Fact]
    public async Task Build_upload_imports_both_architectures_in_parallel_and_leaves_only_their_snapshots()
    {
        // Arrange
        SkipUnlessMachines();
        var amd64 = await FactoryImageAsync("v1.12.2", "amd64", seed: 1);
        var arm64 = await FactoryImageAsync("v1.12.2", "arm64", seed: 2);
        var factory = await ServeSiteAsync();

        // Act
        var result = await _cli.RunAsync("talos", "build", "--schematic", SchematicFile(), "--version", "v1.12.2", "--output-dir", Path.Combine(_cli.Home, "out"),
            "--factory", factory, "--upload", "-o", "json");
        TestContext.Current.TestOutputHelper?.WriteLine(result.ToString());

        // Assert
        result.ExitCode.ShouldBe(0, result.ToString());
        using var doc = JsonDocument.Parse(result.Stdout);
        var entries = doc.RootElement.EnumerateArray().ToList();
        entries.Select(e => e.GetProperty("architecture").GetString()).ShouldBe(["x86", "arm"]);
        foreach (var (entry, raw, arch) in new[] { (entries[0], amd64, Architecture.X86), (entries[1], arm64, Architecture.Arm) })
        {
            entry.TryGetProperty("error", out _).ShouldBeFalse();
            entry.GetProperty("skipped").GetBoolean().ShouldBeFalse();
            var snapshot = entry.GetProperty("snapshot").Deserialize(HcloudJsonContext.Default.Image)!;
            snapshot.Architecture.ShouldBe(arch);
            snapshot.Status.ShouldBe(ImageStatus.Available);
            snapshot.Labels["os"].ShouldBe("talos");
            snapshot.Labels["arch"].ShouldBe(arch.Value);
            snapshot.Labels["version"].ShouldBe("v1.12.2");
            snapshot.Labels["creator"].ShouldBe("drover");
            snapshot.Labels["type"].ShouldBe("infra");
            snapshot.Labels.Keys.ShouldContain("drover/digest");
            await SnapshotShouldHoldAsync(snapshot.Id, raw);
        }
        result.Stderr.ShouldContain("==> x86: write image");
        result.Stderr.ShouldContain("==> arm: write image");
        result.Stderr.ShouldContain("2 of 2 architectures imported");
        result.Stdout.ShouldNotContain("\\u002B", customMessage: "timestamps print as the other commands print them");
        await ShouldLeaveNoTemporaryResourcesAsync();
    }

    [Fact]
    public async Task When_one_architecture_fails_the_other_is_imported_and_the_command_exits_1()
    {
        // Arrange: the factory has no ARM image of this version.
        SkipUnlessMachines();
        var amd64 = await FactoryImageAsync("v1.12.3", "amd64", seed: 3);
        var factory = await ServeSiteAsync();

        // Act
        var result = await _cli.RunAsync("talos", "build", "--schematic", SchematicFile(), "--version", "v1.12.3", "--output-dir", Path.Combine(_cli.Home, "out"),
            "--factory", factory, "--upload");
        TestContext.Current.TestOutputHelper?.WriteLine(result.ToString());

        // Assert
        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldContain("error: arm: write: ");
        result.Stderr.ShouldContain("1 of 2 architectures failed");
        var rows = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split("   ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        rows[0].ShouldBe(["ARCH", "SNAPSHOT", "RESULT", "MANIFEST"]);
        rows[1][0].ShouldBe("x86");
        rows[1][2].ShouldBe("uploaded");
        rows[2][0].ShouldBe("arm");
        rows[2][1..3].ShouldBe(["-", "failed"]);
        await SnapshotShouldHoldAsync(long.Parse(rows[1][1], CultureInfo.InvariantCulture), amd64);
        var snapshots = await _cloud.CreateClient().Images.ListAsync(new ImageListOptions { Type = [ImageType.Snapshot] }, Ct).ToListAsync(Ct);
        snapshots.ShouldHaveSingleItem().Architecture.ShouldBe(Architecture.X86);
        await ShouldLeaveNoTemporaryResourcesAsync();
    }

    private void SkipUnlessMachines()
    {
        if (_skip is not null)
        {
            Assert.Skip(_skip);
        }
    }

    private string SchematicFile()
    {
        var path = Path.Combine(_cli.Home, "schematic.yaml");
        File.WriteAllText(path, "customization: {}\n");
        return path;
    }

    /// <summary>A 20 MiB raw image (random head, zeros after) at the factory's path for it, xz-compressed; returns the raw file.</summary>
    private async Task<string> FactoryImageAsync(string version, string goArch, int seed)
    {
        var dir = Directory.CreateDirectory(Path.Combine(Site, "image", Schematic, version)).FullName;
        var raw = Path.Combine(_cli.Home, $"{goArch}-{version}.raw");
        await using (var f = File.Create(raw))
        {
            var data = new byte[3 << 20];
            new Random(seed).NextBytes(data);
            await f.WriteAsync(data, Ct);
            f.SetLength(ImageBytes);
        }
        (await ProcessRunner.RunAsync("bash", ["-c", $"xz -T0 -c '{raw}' > '{Path.Combine(dir, $"hcloud-{goArch}.raw.xz")}'"], cancellationToken: Ct)).EnsureSuccess();
        return raw;
    }

    /// <summary>Registers the site with the cloud's file server; returns the URL the rescue systems download it from.</summary>
    private async Task<string> ServeSiteAsync()
    {
        using var response = await _cloud.ControlAsync(HttpMethod.Post, "files", JsonSerializer.Serialize(new Dictionary<string, string> { ["path"] = Site }));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return json.RootElement.GetProperty("url").GetString()!;
    }

    private async Task SnapshotShouldHoldAsync(long imageId, string raw)
    {
        using var json = JsonDocument.Parse(await (await _cloud.ControlAsync(HttpMethod.Get, $"images/{imageId}")).Content.ReadAsStringAsync(Ct));
        var disk = json.RootElement.GetProperty("disk_path").GetString()!;
        var cmp = await ProcessRunner.RunAsync("cmp", ["-n", ImageBytes.ToString(CultureInfo.InvariantCulture), raw, disk], cancellationToken: Ct);
        cmp.ExitCode.ShouldBe(0, $"snapshot {imageId}'s disk differs from {raw}: {cmp.Message}");
    }

    private async Task ShouldLeaveNoTemporaryResourcesAsync()
    {
        (await _cli.RunAsync("server", "list", "-o", "json")).Stdout.Trim().ShouldBe("[]");
        (await _cli.RunAsync("ssh-key", "list", "-o", "json")).Stdout.Trim().ShouldBe("[]");
    }
}
