using System.Text.Json;
using Drover.Hcloud.Contracts;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Cli.Tests;

/// <summary>
/// The fault matrix of an import: 'drover image upload' as a process of its own, SIGKILLed after each step (by its own
/// PID), on a local cloud with real rescue systems. Then 'drover cleanup' (or only the next upload) must leave none of
/// that run's resources, the run's record and key pair on this machine must be gone, a snapshot may exist only where
/// the kill came after the disk was verified, and the next upload must work and leave exactly one snapshot of the
/// image. Machine test: root and namespaces; skipped with the reason elsewhere.
/// </summary>
[MachineTier]
public sealed class UploadKillTests : IAsyncLifetime
{
    /// <summary>Random data, so that the write takes a few seconds on the wire whatever the compression.</summary>
    private const long ImageBytes = 384L << 20;

    private readonly CliRunner _cli = new();
    private string? _skip;

    private string Image => Path.Combine(_cli.Home, "image.raw");
    private string RunsDirectory => Path.Combine(_cli.Home, ".local", "share", "drover", "runs");

    public async ValueTask InitializeAsync()
    {
        _skip = await MachineCloud.UpAsync(_cli);
        if (_skip is null)
        {
            await using var file = File.Create(Image);
            var chunk = new byte[4 << 20];
            for (long written = 0; written < ImageBytes; written += chunk.Length)
            {
                System.Security.Cryptography.RandomNumberGenerator.Fill(chunk);
                await file.WriteAsync(chunk, Ct);
            }
        }
    }

    public ValueTask DisposeAsync() => _cli.DisposeAsync();

    /// <summary>
    /// After which step the upload is killed: the progress line it waits for (the next step's start, so the step named
    /// is done), how long after that line, whether a snapshot may already exist, and what cleans up.
    /// </summary>
    public static TheoryData<string, string, int, bool, string> KillPoints => new()
    {
        { "key", "==> create temporary server", 0, false, "cleanup" },
        { "server", "==> boot rescue system", 0, false, "cleanup" },
        { "rescue boot", "==> connect over SSH", 0, false, "cleanup" },
        { "rescue boot", "==> connect over SSH", 0, false, "next upload" },
        { "ssh connect", "==> write image", 0, false, "cleanup" },
        { "mid-write", "==> write image", 1500, false, "cleanup" },
        { "shutdown", "==> create snapshot", 0, true, "cleanup" },
        { "snapshot", "==> create snapshot", 400, true, "cleanup" },
        { "delete", "==> delete temporary resources", 300, true, "cleanup" },
    };

    [Theory]
    [MemberData(nameof(KillPoints))]
    public async Task A_killed_upload_leaves_none_of_its_resources_and_the_next_upload_works(string after, string line, int delayMs, bool snapshotMayExist, string cleanedBy)
    {
        if (_skip is not null)
        {
            Assert.Skip(_skip);
        }
        // Arrange: no snapshot of the image yet (an earlier case's would make the upload a no-op).
        await DeleteSnapshotsAsync();
        await using (var upload = DroverProcess.Start(_cli.Environment, "image", "upload", "--image-path", Image, "--allow-unscanned", "-o", "json"))
        {
            await upload.WaitForLineAsync(l => l == line, TimeSpan.FromMinutes(3), Ct);
            await Task.Delay(delayMs, Ct);

            // Act
            await upload.KillAsync();
        }
        var dead = DeadRuns();
        dead.Count.ShouldBe(1, $"the killed upload (after {after}) is on record as a run that ended without cleaning up");
        var run = dead[0];
        var left = await TemporaryResourcesAsync();
        var snapshotsLeft = await SnapshotsAsync();
        TestContext.Current.TestOutputHelper?.WriteLine($"killed after '{after}': left {(left.Count == 0 ? "no temporary resource" : string.Join(", ", left))}; {snapshotsLeft.Count} snapshot(s) {string.Join(", ", snapshotsLeft.Select(i => $"{i.Id} ({i.Status})"))}");
        if (cleanedBy == "cleanup")
        {
            var cleanup = await _cli.RunAsync("cleanup", "-o", "json");
            cleanup.ExitCode.ShouldBe(0, cleanup.ToString());

            // Assert: none of its resources, record or key pair; a snapshot only from a verified disk.
            (await TemporaryResourcesAsync()).ShouldBeEmpty($"after killing the upload after '{after}' and 'drover cleanup'");
            DeadRuns().ShouldBeEmpty("cleanup forgets the runs it cleaned up");
            Directory.Exists(Path.Combine(RunsDirectory, run)).ShouldBeFalse("the run's temporary key pair goes with it");
            var snapshots = await SnapshotsAsync();
            snapshots.Count.ShouldBeLessThanOrEqualTo(snapshotMayExist ? 1 : 0, $"killed after '{after}': {string.Join(", ", snapshots.Select(s => s.Id))}");
        }

        var next = await _cli.RunAsync("image", "upload", "--image-path", Image, "--allow-unscanned", "-o", "json");

        next.ExitCode.ShouldBe(0, next.ToString());
        (await TemporaryResourcesAsync()).ShouldBeEmpty($"after the next upload (killed after '{after}', cleaned up by {cleanedBy})");
        DeadRuns().ShouldBeEmpty();
        Directory.Exists(Path.Combine(RunsDirectory, run)).ShouldBeFalse();
        var kept = await SnapshotsAsync();
        kept.Count.ShouldBe(1, "one image, one snapshot");
        JsonSerializer.Deserialize(next.Stdout, HcloudJsonContext.Default.Image)!.Id.ShouldBe(kept[0].Id);
    }

    /// <summary>The IDs of runs this machine recorded that ended without cleaning up (their record is no longer locked).</summary>
    private List<string> DeadRuns()
    {
        if (!Directory.Exists(RunsDirectory))
        {
            return [];
        }
        var dead = new List<string>();
        foreach (var file in Directory.GetFiles(RunsDirectory, "*.json"))
        {
            try
            {
                using var json = JsonDocument.Parse(File.ReadAllText(file));
                dead.Add(json.RootElement.GetProperty("run").GetString()!);
            }
            catch (IOException)
            {
                // Held by a live run.
            }
        }
        return dead;
    }

    /// <summary>Every temporary server and SSH key of any Drover run (the cloud is this test class's own).</summary>
    private async Task<List<string>> TemporaryResourcesAsync()
    {
        var servers = await _cli.RunAsync("server", "list", "-l", "drover/created-by", "-o", "json");
        var keys = await _cli.RunAsync("ssh-key", "list", "-l", "drover/created-by", "-o", "json");
        servers.ExitCode.ShouldBe(0, servers.ToString());
        keys.ExitCode.ShouldBe(0, keys.ToString());
        return
        [
            .. JsonSerializer.Deserialize(servers.Stdout, HcloudJsonContext.Default.IReadOnlyListServer)!.Select(s => $"server {s.Name} ({s.Labels.GetValueOrDefault("drover/run")})"),
            .. JsonSerializer.Deserialize(keys.Stdout, HcloudJsonContext.Default.IReadOnlyListSshKey)!.Select(k => $"ssh key {k.Name} ({k.Labels.GetValueOrDefault("drover/run")})"),
        ];
    }

    private async Task<IReadOnlyList<Image>> SnapshotsAsync()
    {
        var images = await _cli.RunAsync("image", "list", "--type", "snapshot", "-o", "json");
        images.ExitCode.ShouldBe(0, images.ToString());
        return JsonSerializer.Deserialize(images.Stdout, HcloudJsonContext.Default.IReadOnlyListImage)!;
    }

    private async Task DeleteSnapshotsAsync()
    {
        var client = await MachineCloud.ClientAsync(_cli);
        foreach (var image in await SnapshotsAsync())
        {
            await client.Images.DeleteAsync(image.Id, Ct);
        }
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}
