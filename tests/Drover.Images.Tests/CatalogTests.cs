using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Labels;
using Drover.Images.Catalog;
using Drover.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Shouldly;
using Xunit;

namespace Drover.Images.Tests;

public sealed class SnapshotRetentionTests
{
    private static readonly DateTimeOffset _t0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static Image Snapshot(long id, int minutes, Architecture arch, bool protect = false) => new()
    {
        Id = id,
        Type = ImageType.Snapshot,
        Status = ImageStatus.Available,
        Description = $"s{id}",
        DiskSize = 40,
        Created = _t0.AddMinutes(minutes),
        OsFlavor = "debian",
        Architecture = arch,
        Protection = new Protection { Delete = protect },
    };

    [Fact]
    public void Keeps_the_newest_n_per_architecture_and_never_protected_ones()
    {
        Image[] images =
        [
            Snapshot(1, 0, Architecture.X86), Snapshot(2, 10, Architecture.X86), Snapshot(3, 20, Architecture.X86),
            Snapshot(4, 5, Architecture.Arm), Snapshot(5, 15, Architecture.Arm),
            Snapshot(6, -10, Architecture.X86, protect: true),
        ];

        SnapshotRetention.ToDelete(images, 2).Select(i => i.Id).ShouldBe([1L]);
        SnapshotRetention.ToDelete(images, 1).Select(i => i.Id).ShouldBe([1L, 2, 4]);
        SnapshotRetention.ToDelete(images, 0).Select(i => i.Id).ShouldBe([1L, 2, 3, 4, 5]);
    }

    [Fact]
    public void System_images_are_never_selected()
    {
        var system = Snapshot(9, 0, Architecture.X86) with { Type = ImageType.System };

        SnapshotRetention.ToDelete([system], 0).ShouldBeEmpty();
    }
}

public sealed class TemporaryResourceCleanerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Only_old_runs_go_by_default_a_named_run_goes_whatever_its_age_and_snapshots_stay()
    {
        // Arrange: run "old" at t0, run "new" two hours later, both with a server and a key; one plain server.
        var time = new ManualTimeProvider();
        await using var cloud = await TestLocalCloud.StartInMemoryAsync(TestLocalCloud.DefaultOptions(time));
        var client = cloud.CreateClient(time);
        async Task MakeRunAsync(string run)
        {
            var labels = new Dictionary<string, string> { [DroverLabels.CreatedBy] = "drover-upload", [DroverLabels.Run] = run };
            await client.SshKeys.CreateAsync(new CreateSshKeyRequest { Name = $"k-{run}", PublicKey = Testing.Scenarios.OpenSshKeys.NewRsaPublicKey(run), Labels = labels }, Ct);
            var s = await client.Servers.CreateAsync(new CreateServerRequest { Name = $"s-{run}", ServerType = "cx23", Image = "debian-12", Labels = labels }, Ct);
            await client.Actions.WaitAsync([s.Action, .. s.NextActions], null, Ct);
            await client.Actions.WaitAsync([(await client.Servers.CreateImageAsync(s.Server.Id, new CreateImageRequest { Labels = labels }, Ct)).Action], null, Ct);
        }
        await MakeRunAsync("old");
        time.Advance(TimeSpan.FromHours(2));
        await MakeRunAsync("new");
        await client.Servers.CreateAsync(new CreateServerRequest { Name = "mine", ServerType = "cx23", Image = "debian-12" }, Ct);
        var cleaner = new TemporaryResourceCleaner(client, NullLogger.Instance, time);

        // Act
        var dry = await cleaner.CleanupAsync(null, TimeSpan.FromHours(1), dryRun: true, Ct);
        var aged = await cleaner.CleanupAsync(null, TimeSpan.FromHours(1), dryRun: false, Ct);
        var named = await cleaner.CleanupAsync("new", TimeSpan.FromHours(1), dryRun: false, Ct);

        // Assert
        dry.Select(i => (i.Kind, i.Name, i.Deleted)).ShouldBe([("server", "s-old", false), ("ssh-key", "k-old", false)]);
        aged.Select(i => i.Name).ShouldBe(["s-old", "k-old"]);
        named.Select(i => i.Name).ShouldBe(["s-new", "k-new"]);
        (await client.Servers.ListAsync(cancellationToken: Ct).ToListAsync(Ct)).Select(s => s.Name).ShouldBe(["mine"]);
        (await client.SshKeys.ListAsync(cancellationToken: Ct).ToListAsync(Ct)).ShouldBeEmpty();
        (await client.Images.ListAsync(new ImageListOptions { Type = [ImageType.Snapshot] }, Ct).ToListAsync(Ct)).Count.ShouldBe(2);
    }
}
