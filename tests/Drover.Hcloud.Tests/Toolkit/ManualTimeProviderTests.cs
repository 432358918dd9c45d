using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Hcloud.Tests.Toolkit;

/// <summary>The shared <see cref="ManualTimeProvider"/> itself.</summary>
public sealed class ManualTimeProviderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Starts_at_the_default_instant_and_advances_only_when_told()
    {
        // Arrange
        var time = new ManualTimeProvider();
        var start = time.GetTimestamp();

        // Act
        time.Advance(TimeSpan.FromMinutes(5));

        // Assert
        time.GetUtcNow().ShouldBe(new DateTimeOffset(2026, 1, 1, 0, 5, 0, TimeSpan.Zero));
        time.GetElapsedTime(start).ShouldBe(TimeSpan.FromMinutes(5));
        time.LocalTimeZone.ShouldBe(TimeZoneInfo.Utc);
        time.TotalDelayed.ShouldBe(TimeSpan.Zero);
        new ManualTimeProvider(new DateTimeOffset(2030, 6, 1, 12, 0, 0, TimeSpan.FromHours(2))).GetUtcNow()
            .ShouldBe(new DateTimeOffset(2030, 6, 1, 10, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public async Task Auto_advance_completes_delays_at_once_and_moves_the_clock()
    {
        // Arrange
        var time = new ManualTimeProvider();

        // Act
        await Task.Delay(TimeSpan.FromHours(1), time, Ct);
        await Task.Delay(TimeSpan.FromSeconds(30), time, Ct);

        // Assert
        time.GetUtcNow().ShouldBe(ManualTimeProvider.DefaultStart.AddHours(1).AddSeconds(30));
        time.TotalDelayed.ShouldBe(TimeSpan.FromSeconds(3630));
        time.Delays.ShouldBe([TimeSpan.FromHours(1), TimeSpan.FromSeconds(30)]);
        time.ArmedTimerCount.ShouldBe(0);
    }

    [Fact]
    public async Task Without_auto_advance_a_delay_completes_only_when_the_clock_passes_it()
    {
        // Arrange
        var time = new ManualTimeProvider { AutoAdvance = false };
        var delay = Task.Delay(TimeSpan.FromSeconds(10), time, Ct);

        // Act
        time.Advance(TimeSpan.FromSeconds(9));
        var completedEarly = delay.IsCompleted;
        time.Advance(TimeSpan.FromSeconds(1));
        await delay;

        // Assert
        completedEarly.ShouldBeFalse();
        time.TotalDelayed.ShouldBe(TimeSpan.Zero);
    }

    [Fact]
    public void Advance_fires_timers_in_due_order_each_at_its_own_time()
    {
        // Arrange
        var time = new ManualTimeProvider { AutoAdvance = false };
        var fired = new List<(string Name, DateTimeOffset At)>();
        using var late = time.CreateTimer(_ => fired.Add(("late", time.GetUtcNow())), null, TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan);
        using var early = time.CreateTimer(_ => fired.Add(("early", time.GetUtcNow())), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

        // Act
        time.Advance(TimeSpan.FromSeconds(5));

        // Assert
        fired.ShouldBe([("early", ManualTimeProvider.DefaultStart.AddSeconds(1)), ("late", ManualTimeProvider.DefaultStart.AddSeconds(3))]);
        time.GetUtcNow().ShouldBe(ManualTimeProvider.DefaultStart.AddSeconds(5));
    }

    [Fact]
    public void Periodic_timers_rearm_after_each_tick()
    {
        // Arrange
        var time = new ManualTimeProvider { AutoAdvance = false };
        var ticks = 0;
        using var timer = time.CreateTimer(_ => ticks++, null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1));

        // Act
        time.Advance(TimeSpan.FromSeconds(5));
        var afterFive = ticks;
        timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        time.Advance(TimeSpan.FromSeconds(5));

        // Assert
        afterFive.ShouldBe(4);
        ticks.ShouldBe(4);
    }

    [Fact]
    public async Task PeriodicTimer_ticks_with_the_manual_clock()
    {
        // Arrange
        var time = new ManualTimeProvider();
        using var periodic = new PeriodicTimer(TimeSpan.FromSeconds(10), time);

        // Act
        var first = await periodic.WaitForNextTickAsync(Ct);
        var second = periodic.WaitForNextTickAsync(Ct);
        var secondEarly = second.IsCompleted;
        time.Advance(TimeSpan.FromSeconds(10));
        var secondTick = await second;

        // Assert
        first.ShouldBeTrue();
        secondEarly.ShouldBeFalse();
        secondTick.ShouldBeTrue();
        time.GetUtcNow().ShouldBe(ManualTimeProvider.DefaultStart.AddSeconds(20));
        time.TotalDelayed.ShouldBe(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Disposed_timers_never_fire_and_cannot_be_changed()
    {
        // Arrange
        var time = new ManualTimeProvider { AutoAdvance = false };
        var fired = false;
        var timer = time.CreateTimer(_ => fired = true, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

        // Act
        timer.Dispose();
        time.Advance(TimeSpan.FromSeconds(2));

        // Assert
        fired.ShouldBeFalse();
        timer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan).ShouldBeFalse();
        time.ArmedTimerCount.ShouldBe(0);
    }

    [Fact]
    public async Task Cancellation_of_a_pending_delay_is_honored()
    {
        // Arrange
        var time = new ManualTimeProvider { AutoAdvance = false };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var delay = Task.Delay(TimeSpan.FromMinutes(1), time, cts.Token);

        // Act
        await cts.CancelAsync();

        // Assert
        await Should.ThrowAsync<OperationCanceledException>(() => delay);
    }

    [Fact]
    public async Task Concurrent_delays_are_thread_safe()
    {
        // Arrange
        var time = new ManualTimeProvider();

        // Act
        await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() => Task.Delay(TimeSpan.FromSeconds(1), time, Ct), Ct)));

        // Assert
        time.TotalDelayed.ShouldBe(TimeSpan.FromSeconds(200));
        time.GetUtcNow().ShouldBe(ManualTimeProvider.DefaultStart.AddSeconds(200));
        time.Delays.Count.ShouldBe(200);
    }

    [Fact]
    public void Zero_due_time_fires_without_moving_the_clock()
    {
        // Arrange
        var time = new ManualTimeProvider { AutoAdvance = false };
        using var fired = new ManualResetEventSlim();

        // Act
        using var timer = time.CreateTimer(_ => fired.Set(), null, TimeSpan.Zero, Timeout.InfiniteTimeSpan);

        // Assert
        fired.Wait(TimeSpan.FromSeconds(10), Ct).ShouldBeTrue();
        time.GetUtcNow().ShouldBe(ManualTimeProvider.DefaultStart);
    }

    [Fact]
    public void Negative_times_are_rejected()
    {
        // Arrange
        var time = new ManualTimeProvider();

        // Act / Assert
        Should.Throw<ArgumentOutOfRangeException>(() => time.Advance(TimeSpan.FromSeconds(-1)));
        Should.Throw<ArgumentOutOfRangeException>(() => time.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(-2), Timeout.InfiniteTimeSpan));
    }

    [Fact]
    public async Task A_timer_beyond_the_auto_advance_limit_fires_only_when_shorter_delays_pass_it()
    {
        // Arrange
        var time = new ManualTimeProvider { AutoAdvanceLimit = TimeSpan.FromMinutes(1) };
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(5), time);

        // Act
        var polls = 0;
        while (!deadline.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(30), time, Ct);
            polls++;
        }

        // Assert
        polls.ShouldBe(10);
        time.TotalDelayed.ShouldBe(TimeSpan.FromMinutes(5));
    }
}
