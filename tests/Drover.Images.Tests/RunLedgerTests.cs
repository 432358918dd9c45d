using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Labels;
using Drover.Images.Catalog;
using Drover.Images.Runs;
using Drover.Images.Upload;
using Drover.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Shouldly;
using Xunit;

namespace Drover.Images.Tests;

/// <summary>
/// The ledger of this machine's runs: a live run holds its record, a record nobody holds is a run that ended without
/// cleaning up (a SIGKILLed process leaves exactly that: the file, and no lock), and cleanup acts on it at once.
/// </summary>
public sealed class RunLedgerTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("drover-runs-test-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void A_live_run_holds_its_record_and_forgets_it_with_its_files_when_it_ends()
    {
        // Arrange
        var ledger = new RunLedger(_dir.FullName, "local");

        // Act
        string files;
        bool alive;
        IReadOnlyList<RunRecord> deadWhileAlive;
        using (var lease = ledger.Begin("run1", "image upload"))
        {
            files = lease.Directory;
            File.WriteAllText(Path.Combine(files, "id_ed25519"), "key");
            alive = ledger.IsAlive("run1");
            deadWhileAlive = ledger.DeadRuns();
        }

        // Assert
        alive.ShouldBeTrue();
        deadWhileAlive.ShouldBeEmpty();
        ledger.IsAlive("run1").ShouldBeFalse();
        ledger.DeadRuns().ShouldBeEmpty("a run that ended cleanly leaves no record");
        Directory.Exists(files).ShouldBeFalse();
    }

    [Fact]
    public void A_record_nobody_holds_is_a_dead_run_of_its_scope_only_until_forgotten()
    {
        // Arrange: what a killed process leaves, a record without its lock (and its key pair).
        LeaveDeadRecord("killed", "local");
        LeaveDeadRecord("elsewhere", "context:prod");
        var ledger = new RunLedger(_dir.FullName, "local");

        // Act
        var dead = ledger.DeadRuns();
        ledger.Forget("killed");

        // Assert
        dead.Select(r => (r.Run, r.What, r.Pid)).ShouldBe([("killed", "image upload", 4242)]);
        ledger.IsAlive("killed").ShouldBeFalse();
        ledger.DeadRuns().ShouldBeEmpty();
        Directory.Exists(Path.Combine(_dir.FullName, "killed")).ShouldBeFalse("its key pair goes with it");
        new RunLedger(_dir.FullName, "context:prod").DeadRuns().Select(r => r.Run).ShouldBe(["elsewhere"], "another cloud's dead runs stay for a cleanup there");
    }

    [Fact]
    public async Task Runs_of_one_key_take_turns_and_the_waiting_one_is_told()
    {
        // Arrange: a clock that moves only when the test moves it, so the waiting run polls only then.
        var time = new ManualTimeProvider { AutoAdvance = false };
        var ledger = new RunLedger(_dir.FullName, "local");
        var first = await ledger.WaitTurnAsync("upload x86 abc", () => throw new InvalidOperationException("the first must not wait"), time, Ct);
        var told = 0;

        // Act: the second run of the key waits, and keeps waiting through polls while the first holds the key.
        var second = ledger.WaitTurnAsync("upload x86 abc", () => Interlocked.Increment(ref told), time, Ct);
        var other = await ledger.WaitTurnAsync("upload x86 def", () => throw new InvalidOperationException("another image does not wait"), time, Ct);
        var waitedAtOnce = !second.IsCompleted;
        for (var poll = 0; poll < 3; poll++)
        {
            await ParkedOnTheClockAsync(time, second);
            time.Advance(TimeSpan.FromMinutes(1));
        }
        await ParkedOnTheClockAsync(time, second);
        var waitedWhileHeld = !second.IsCompleted;
        first.Dispose();
        time.AutoAdvance = true;
        time.Advance(TimeSpan.FromMinutes(1));
        using var got = await second;
        other.Dispose();

        // Assert
        waitedAtOnce.ShouldBeTrue("the key is held: the second run must wait");
        waitedWhileHeld.ShouldBeTrue("polls while the key is held must not take it");
        told.ShouldBe(1, "the waiting run is told once, however often it polls");
    }

    /// <summary>Returns once <paramref name="turn"/> waits for the clock again (its next poll is armed), or has ended.</summary>
    private static async Task ParkedOnTheClockAsync(ManualTimeProvider time, Task turn)
    {
        while (time.ArmedTimerCount == 0 && !turn.IsCompleted)
        {
            await Task.Yield();
        }
    }

    [Fact]
    public async Task Cleanup_removes_a_killed_runs_resources_at_once_never_a_live_runs_and_others_only_when_old()
    {
        // Arrange: "killed" (dead record, a minute old), "live" (held, three hours old), "stranger" (not ours, a minute old).
        var time = new ManualTimeProvider();
        await using var cloud = await TestLocalCloud.StartInMemoryAsync(TestLocalCloud.DefaultOptions(time));
        var client = cloud.CreateClient(time);
        var ledger = new RunLedger(_dir.FullName, "local", time);
        using var live = ledger.Begin("live", "image upload");
        await MakeRunAsync(client, "live");
        time.Advance(TimeSpan.FromHours(3));
        LeaveDeadRecord("killed", "local");
        await MakeRunAsync(client, "killed");
        await MakeRunAsync(client, "stranger");
        time.Advance(TimeSpan.FromMinutes(1));
        var cleaner = new TemporaryResourceCleaner(client, NullLogger.Instance, time, ledger);

        // Act
        var items = await cleaner.CleanupAsync(null, TimeSpan.FromHours(1), dryRun: false, Ct);
        var refused = await Should.ThrowAsync<UploadException>(() => cleaner.CleanupAsync("live", TimeSpan.FromHours(1), dryRun: false, Ct));

        // Assert
        items.Select(i => (i.Name, i.Run)).ShouldBe([("s-killed", "killed"), ("k-killed", "killed")]);
        items.ShouldAllBe(i => i.Why.Contains("ended without cleaning up", StringComparison.Ordinal));
        refused.Message.ShouldContain("still running on this machine");
        (await client.Servers.ListAsync(cancellationToken: Ct).ToListAsync(Ct)).Select(s => s.Name).Order().ShouldBe(["s-live", "s-stranger"]);
        ledger.DeadRuns().ShouldBeEmpty("the cleaned-up run is forgotten");
    }

    private static async Task MakeRunAsync(HcloudClient client, string run)
    {
        var labels = new Dictionary<string, string> { [DroverLabels.CreatedBy] = "drover-upload", [DroverLabels.Run] = run };
        await client.SshKeys.CreateAsync(new CreateSshKeyRequest { Name = $"k-{run}", PublicKey = Testing.Scenarios.OpenSshKeys.NewRsaPublicKey(run), Labels = labels }, Ct);
        var s = await client.Servers.CreateAsync(new CreateServerRequest { Name = $"s-{run}", ServerType = "cx23", Image = "debian-12", Labels = labels }, Ct);
        await client.Actions.WaitAsync([s.Action, .. s.NextActions], null, Ct);
    }

    /// <summary>A record as a SIGKILLed upload leaves it (its file format), with a key pair directory.</summary>
    private void LeaveDeadRecord(string run, string scope)
    {
        File.WriteAllText(Path.Combine(_dir.FullName, run + ".json"),
            $$"""{"run":"{{run}}","scope":"{{scope}}","what":"image upload","pid":4242,"started":"2026-12-06T00:00:00+00:00"}""");
        Directory.CreateDirectory(Path.Combine(_dir.FullName, run, "key-0001"));
    }
}
