using Drover.Proxmox.Contracts;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Proxmox.Tests;

public sealed class TasksClientTests
{
    private const string Task = $"{TestClient.Api}/nodes/pve/tasks/{Fixtures.EscapedCloneUpid}";

    private static readonly Upid _upid = Upid.Parse(Fixtures.CloneUpid);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Status(string status, string? exit = null)
        => $$"""{"status":"{{status}}","upid":"{{Fixtures.CloneUpid}}","node":"pve","type":"qmclone","id":"9000","user":"root@pam!drover","pid":662316,"pstart":1234567,"starttime":1734603168{{(exit is null ? "" : $",\"exitstatus\":\"{exit}\"")}}}""";

    [Fact]
    public async Task Wait_polls_every_second_on_the_time_provider_until_OK()
    {
        // Arrange
        var time = new ManualTimeProvider();
        var progress = new RecordingProgress<ProxmoxTaskStatus>();
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, $"{Task}/status").RespondData(Status("running"));
        stub.Expect(HttpMethod.Get, $"{Task}/status").RespondData(Status("running"));
        stub.Expect(HttpMethod.Get, $"{Task}/status").RespondData(Status("stopped", "OK"));
        var client = TestClient.Create(stub, time);

        // Act
        var result = await client.Tasks.WaitAsync(_upid, progress: progress, cancellationToken: Ct);

        // Assert
        result.ShouldBe(new ProxmoxTaskResult(_upid, "OK", 0));
        time.Delays.ShouldBe([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)]);
        progress.Reports.Select(s => s.Status).ShouldBe(["running", "running", "stopped"]);
    }

    [Fact]
    public async Task WARNINGS_is_a_success_that_reports_the_count()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, $"{Task}/status").RespondData(Status("stopped", "WARNINGS: 2"));
        var client = TestClient.Create(stub);

        // Act
        var result = await client.Tasks.WaitAsync(_upid, cancellationToken: Ct);

        // Assert
        result.Warnings.ShouldBe(2);
        result.ExitStatus.ShouldBe("WARNINGS: 2");
    }

    [Fact]
    public async Task A_failed_task_throws_with_its_exit_status_and_the_last_log_lines()
    {
        // Arrange
        const string exit = "unable to create VM 101: config file already exists";
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, $"{Task}/status").RespondData(Status("stopped", exit));
        stub.Expect(HttpMethod.Get, $"{Task}/log?start=0&limit=2")
            .Respond(System.Net.HttpStatusCode.OK, """{"data":[{"n":1,"t":"create full clone of drive scsi0"},{"n":2,"t":"transferred 1 GiB"}],"total":3}""");
        stub.Expect(HttpMethod.Get, $"{Task}/log?start=1&limit=2")
            .Respond(System.Net.HttpStatusCode.OK, $$"""{"data":[{"n":2,"t":"transferred 1 GiB"},{"n":3,"t":"TASK ERROR: {{exit}}"}],"total":3}""");
        var client = TestClient.Create(stub, configure: o => o with { FailedTaskLogLines = 2 });

        // Act
        var error = await Should.ThrowAsync<ProxmoxTaskFailedException>(() => client.Tasks.WaitAsync(_upid, cancellationToken: Ct));

        // Assert
        error.ExitStatus.ShouldBe(exit);
        error.LogTail.ShouldBe(["transferred 1 GiB", $"TASK ERROR: {exit}"]);
        error.Lines[0].ShouldBe($"Proxmox task qmclone of 9000 on node pve failed: {exit}");
        error.Lines.Count.ShouldBe(3);
    }

    [Fact]
    public async Task A_failed_task_whose_log_cannot_be_read_still_throws_with_its_status()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, $"{Task}/status").RespondData(Status("stopped", "unexpected status"));
        stub.Expect(HttpMethod.Get, $"{Task}/log?start=0&limit=20").RespondPve(System.Net.HttpStatusCode.Forbidden, "Permission check failed");
        var client = TestClient.Create(stub);

        // Act
        var error = await Should.ThrowAsync<ProxmoxTaskFailedException>(() => client.Tasks.WaitAsync(_upid, cancellationToken: Ct));

        // Assert
        error.LogTail.ShouldBeEmpty();
        error.Message.ShouldBe("Proxmox task qmclone of 9000 on node pve failed: unexpected status");
    }

    [Fact]
    public async Task Wait_gives_up_after_its_timeout_on_the_time_provider()
    {
        // Arrange
        var time = new ManualTimeProvider();
        using var stub = new StubHttpHandler();
        for (var i = 0; i < 4; i++)
        {
            stub.Expect(HttpMethod.Get, $"{Task}/status").RespondData(Status("running"));
        }
        var client = TestClient.Create(stub, time);

        // Act
        var error = await Should.ThrowAsync<ProxmoxTaskTimeoutException>(() => client.Tasks.WaitAsync(_upid, TimeSpan.FromSeconds(3), cancellationToken: Ct));

        // Assert
        error.Message.ShouldContain("did not finish within 3 s");
        time.TotalDelayed.ShouldBe(TimeSpan.FromSeconds(3));
    }
}
