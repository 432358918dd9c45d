using System.Net;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Tests.Fixtures;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Hcloud.Tests;

public sealed class ActionsClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Get_returns_the_action_or_null_when_missing()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, "/v1/actions/42").Respond(HttpStatusCode.OK, $$"""{"action": {{ApiFixtures.Action}}}""");
        stub.Expect(HttpMethod.Get, "/v1/actions/43").RespondError(HttpStatusCode.NotFound, ErrorCode.NotFound, "action not found");
        var client = TestClient.Create(stub);

        // Act
        var found = await client.Actions.GetAsync(42, Ct);
        var missing = await client.Actions.GetAsync(43, Ct);

        // Assert
        found.ShouldNotBeNull().Command.ShouldBe("start_resource");
        missing.ShouldBeNull();
    }

    [Fact]
    public async Task Wait_polls_in_batches_of_25_until_all_succeed()
    {
        // Arrange
        var actions = Running(1..30);
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, PollPath(1..25)).Respond(HttpStatusCode.OK, Poll(1..25, "running"));
        stub.Expect(HttpMethod.Get, PollPath(26..30)).Respond(HttpStatusCode.OK, Poll(26..30, "success"));
        stub.Expect(HttpMethod.Get, PollPath(1..25)).Respond(HttpStatusCode.OK, Poll(1..25, "success"));
        var client = TestClient.Create(stub);

        // Act
        await client.Actions.WaitAsync(actions, cancellationToken: Ct);

        // Assert
        stub.Requests.Count.ShouldBe(3);
        stub.Requests[0].PathAndQuery.ShouldStartWith("/v1/actions?id=1&id=2&id=3&");
    }

    [Fact]
    public async Task Wait_backs_off_between_polls_through_the_time_provider()
    {
        // Arrange
        var time = new ManualTimeProvider();
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, PollPath(1..1)).Respond(HttpStatusCode.OK, Poll(1..1, "running"));
        stub.Expect(HttpMethod.Get, PollPath(1..1)).Respond(HttpStatusCode.OK, Poll(1..1, "running"));
        stub.Expect(HttpMethod.Get, PollPath(1..1)).Respond(HttpStatusCode.OK, Poll(1..1, "success"));
        var client = TestClient.Create(stub, time, o => o with
        {
            PollInterval = TimeSpan.FromSeconds(1),
            PollSteadyFor = TimeSpan.Zero,
            PollBackoffFactor = 2,
            PollIntervalMax = TimeSpan.FromSeconds(3),
        });

        // Act
        await client.Actions.WaitAsync(Running(1..1), cancellationToken: Ct);

        // Assert
        time.Delays.ShouldBe([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3)]);
        time.GetUtcNow().ShouldBe(ManualTimeProvider.DefaultStart.AddSeconds(6));
    }

    [Fact]
    public async Task Wait_polls_steadily_at_first_and_backs_off_only_after_the_steady_window()
    {
        // Arrange: 6 polls; the window ends after the third 500 ms delay
        var time = new ManualTimeProvider();
        using var stub = new StubHttpHandler();
        for (var i = 0; i < 5; i++)
        {
            stub.Expect(HttpMethod.Get, PollPath(1..1)).Respond(HttpStatusCode.OK, Poll(1..1, "running"));
        }
        stub.Expect(HttpMethod.Get, PollPath(1..1)).Respond(HttpStatusCode.OK, Poll(1..1, "success"));
        var client = TestClient.Create(stub, time, o => o with
        {
            PollInterval = TimeSpan.FromMilliseconds(500),
            PollSteadyFor = TimeSpan.FromMilliseconds(1500),
            PollBackoffFactor = 2,
            PollIntervalMax = TimeSpan.FromSeconds(3),
        });

        // Act
        await client.Actions.WaitAsync(Running(1..1), cancellationToken: Ct);

        // Assert
        time.Delays.ShouldBe([
            TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500),
            TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3)]);
        stub.Requests.Count.ShouldBe(6);
    }

    [Fact]
    public void The_default_poll_stays_at_500_ms_for_10_s_then_backs_off_to_5_s()
    {
        var options = new HcloudClientOptions { Token = "t" };

        options.PollInterval.ShouldBe(TimeSpan.FromMilliseconds(500));
        options.PollSteadyFor.ShouldBe(TimeSpan.FromSeconds(10));
        options.PollIntervalMax.ShouldBe(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Wait_reports_every_polled_action_as_progress()
    {
        // Arrange
        var progress = new RecordingProgress<CloudAction>();
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, PollPath(1..2)).Respond(HttpStatusCode.OK, Poll([(1, "running", 40), (2, "success", 100)]));
        stub.Expect(HttpMethod.Get, PollPath(1..1)).Respond(HttpStatusCode.OK, Poll([(1, "success", 100)]));
        var client = TestClient.Create(stub);

        // Act
        await client.Actions.WaitAsync(Running(1..2), progress, Ct);

        // Assert
        progress.Reports.Select(a => (a.Id, a.Status.Value, a.Progress)).ShouldBe([(1L, "running", 40), (2L, "success", 100), (1L, "success", 100)]);
    }

    [Fact]
    public async Task Wait_throws_ActionFailedException_on_an_error_action()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, PollPath(1..2)).Respond(HttpStatusCode.OK, Poll([(1, "success", 100), (2, "error", 50)]));
        var client = TestClient.Create(stub);

        // Act
        var error = await Should.ThrowAsync<ActionFailedException>(() => client.Actions.WaitAsync(Running(1..2), cancellationToken: Ct));

        // Assert
        error.Action.Id.ShouldBe(2);
        error.Action.Error!.Code.ShouldBe("action_failed");
        error.Message.ShouldContain("action 2");
        error.Message.ShouldContain("Action failed");
    }

    [Fact]
    public async Task Wait_throws_at_once_for_an_action_that_already_failed()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        var client = TestClient.Create(stub);
        var failed = Running(1..1)[0] with { Status = ActionStatus.Error, Error = new ActionError { Code = "action_failed", Message = "broken" } };

        // Act
        var error = await Should.ThrowAsync<ActionFailedException>(() => client.Actions.WaitAsync([failed], cancellationToken: Ct));

        // Assert
        error.Action.ShouldBe(failed);
        stub.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Wait_returns_without_polling_when_all_actions_already_succeeded()
    {
        // Arrange
        var time = new ManualTimeProvider();
        using var stub = new StubHttpHandler();
        var client = TestClient.Create(stub, time);
        var done = Running(1..3).Select(a => a with { Status = ActionStatus.Success }).ToList();

        // Act
        await client.Actions.WaitAsync(done, cancellationToken: Ct);
        await client.Actions.WaitAsync([], cancellationToken: Ct);

        // Assert
        stub.Requests.ShouldBeEmpty();
        time.TotalDelayed.ShouldBe(TimeSpan.Zero);
    }

    [Fact]
    public async Task Wait_polls_each_id_once_even_when_given_twice()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, PollPath(5..6)).Respond(HttpStatusCode.OK, Poll(5..6, "success"));
        var client = TestClient.Create(stub);
        var actions = Running(5..6);

        // Act
        await client.Actions.WaitAsync([.. actions, .. actions], cancellationToken: Ct);

        // Assert
        stub.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Wait_throws_for_an_id_the_API_does_not_know()
    {
        // Arrange
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, PollPath(1..3)).Respond(HttpStatusCode.OK, Poll([(1, "running", 0), (3, "running", 0)]));
        var client = TestClient.Create(stub);

        // Act
        var error = await Should.ThrowAsync<InvalidOperationException>(() => client.Actions.WaitAsync(Running(1..3), cancellationToken: Ct));

        // Assert
        error.Message.ShouldContain("2");
        error.Message.ShouldNotContain("1");
    }

    [Fact]
    public async Task Wait_honors_cancellation_between_polls()
    {
        // Arrange
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var progress = new RecordingProgress<CloudAction>(_ => cts.Cancel());
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, PollPath(1..1)).Respond(HttpStatusCode.OK, Poll(1..1, "running"));
        var client = TestClient.Create(stub);

        // Act
        var wait = client.Actions.WaitAsync(Running(1..1), progress, cts.Token);

        // Assert
        await Should.ThrowAsync<OperationCanceledException>(() => wait);
        stub.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Wait_honors_cancellation_while_waiting_for_the_clock()
    {
        // Arrange
        var time = new ManualTimeProvider { AutoAdvance = false };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        using var stub = new StubHttpHandler();
        var client = TestClient.Create(stub, time);

        // Act
        var wait = client.Actions.WaitAsync(Running(1..1), cancellationToken: cts.Token);
        await cts.CancelAsync();

        // Assert
        await Should.ThrowAsync<OperationCanceledException>(() => wait);
        stub.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Wait_with_a_stopped_clock_polls_only_when_time_advances()
    {
        // Arrange
        var time = new ManualTimeProvider { AutoAdvance = false };
        using var stub = new StubHttpHandler();
        stub.Expect(HttpMethod.Get, PollPath(1..1)).Respond(HttpStatusCode.OK, Poll(1..1, "success"));
        var client = TestClient.Create(stub, time, o => o with { PollInterval = TimeSpan.FromSeconds(2) });

        // Act
        var wait = client.Actions.WaitAsync(Running(1..1), cancellationToken: Ct);
        time.Advance(TimeSpan.FromSeconds(1));
        var pendingAfterOneSecond = !wait.IsCompleted && stub.Requests.Count == 0;
        time.Advance(TimeSpan.FromSeconds(1));
        await wait;

        // Assert
        pendingAfterOneSecond.ShouldBeTrue();
        stub.Requests.Count.ShouldBe(1);
    }

    private static List<CloudAction> Running(Range ids)
        => [.. Ids(ids).Select(id => new CloudAction { Id = id, Command = "create_server", Status = ActionStatus.Running, Started = ManualTimeProvider.DefaultStart })];

    private static IEnumerable<int> Ids(Range ids) => Enumerable.Range(ids.Start.Value, ids.End.Value - ids.Start.Value + 1);

    private static string PollPath(Range ids) => "/v1/actions?" + string.Join("&", Ids(ids).Select(id => $"id={id}"));

    private static string Poll(Range ids, string status) => Poll([.. Ids(ids).Select(id => ((long)id, status, status == "running" ? 50 : 100))]);

    private static string Poll(IEnumerable<(long Id, string Status, int Progress)> actions)
        => $$"""{"actions": [{{string.Join(",", actions.Select(a => ApiFixtures.ActionWith(a.Id, a.Status, a.Progress)))}}]}""";
}
