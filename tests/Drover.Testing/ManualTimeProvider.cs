namespace Drover.Testing;

/// <summary>
/// A <see cref="TimeProvider"/> whose clock moves only when told to, so no test waits on the wall clock.
/// <list type="bullet">
/// <item>Starts at <see cref="DefaultStart"/> (2026-01-01T00:00:00Z) unless given another instant.</item>
/// <item><see cref="AutoAdvance"/> (default): arming a timer with a finite due time moves the clock forward by that
/// due time and fires it at once on the thread pool, so <c>Task.Delay(d, provider, ct)</c> completes immediately while
/// <see cref="GetUtcNow"/> moves by <c>d</c>; every such jump is recorded in <see cref="Delays"/> and
/// <see cref="TotalDelayed"/>. Timeouts built on the provider (<c>CancelAfter</c>) therefore fire at once too.
/// A periodic timer's first tick is automatic; later ticks come when the clock passes them (another auto-advance
/// or <see cref="Advance"/>).</item>
/// <item>With <see cref="AutoAdvance"/> off, timers fire only when <see cref="Advance"/> moves past their due time,
/// synchronously on the caller's thread, in due-time order, each seeing the clock at its own due time.</item>
/// </list>
/// All members are thread-safe.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    /// <summary>The default start: 2026-01-01T00:00:00Z.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly Lock _gate = new();
    private readonly List<ManualTimer> _armed = [];
    private readonly List<TimeSpan> _delays = [];
    private DateTimeOffset _now;
    private TimeSpan _totalDelayed;
    private long _sequence;
    private volatile bool _autoAdvance = true;

    public ManualTimeProvider()
        : this(DefaultStart)
    {
    }

    public ManualTimeProvider(DateTimeOffset start) => _now = start.ToUniversalTime();

    /// <summary>Whether arming a timer jumps the clock to its due time (default true).</summary>
    public bool AutoAdvance
    {
        get => _autoAdvance;
        set => _autoAdvance = value;
    }

    /// <summary>
    /// With <see cref="AutoAdvance"/>: timers due further ahead than this are not jumped to; they fire when the clock
    /// passes them (shorter auto-advanced timers or <see cref="Advance"/>). So polls and backoff stay instant while
    /// a deadline (a <c>CancellationTokenSource</c> on this provider) fires only once that much time has gone by.
    /// Null (default): every finite timer is jumped to.
    /// </summary>
    public TimeSpan? AutoAdvanceLimit { get; set; }

    /// <summary>Sum of all due times the clock jumped by automatically.</summary>
    public TimeSpan TotalDelayed
    {
        get
        {
            lock (_gate)
            {
                return _totalDelayed;
            }
        }
    }

    /// <summary>Each automatic jump, in order (e.g. the backoff delays of a retry loop).</summary>
    public IReadOnlyList<TimeSpan> Delays
    {
        get
        {
            lock (_gate)
            {
                return [.. _delays];
            }
        }
    }

    /// <summary>Timers currently armed (waiting for the clock to reach their due time).</summary>
    public int ArmedTimerCount
    {
        get
        {
            lock (_gate)
            {
                return _armed.Count;
            }
        }
    }

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override long GetTimestamp()
    {
        lock (_gate)
        {
            return _now.UtcTicks;
        }
    }

    /// <summary>Moves the clock forward, firing every timer it passes (synchronously, in due-time order).</summary>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_gate)
        {
            target = _now + delta;
        }
        AdvanceTo(target);
    }

    /// <summary>Moves the clock forward to <paramref name="instant"/> (never backwards), firing timers on the way.</summary>
    public void AdvanceTo(DateTimeOffset instant)
    {
        while (true)
        {
            ManualTimer? due;
            lock (_gate)
            {
                due = NextDue(instant);
                if (due is null)
                {
                    if (instant > _now)
                    {
                        _now = instant;
                    }
                    return;
                }
                _now = due.DueAt!.Value > _now ? due.DueAt.Value : _now;
                Rearm(due);
            }
            due.Invoke();
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    public override string ToString() => $"ManualTimeProvider {{ Now = {GetUtcNow():O}, TotalDelayed = {TotalDelayed} }}";

    private bool Arm(ManualTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        ThrowIfInvalid(dueTime, nameof(dueTime));
        ThrowIfInvalid(period, nameof(period));
        List<ManualTimer> fired;
        lock (_gate)
        {
            if (timer.Disposed)
            {
                return false;
            }
            _armed.Remove(timer);
            timer.Period = period > TimeSpan.Zero && period != Timeout.InfiniteTimeSpan ? period : null;
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                timer.DueAt = null;
                return true;
            }
            timer.DueAt = _now + dueTime;
            timer.Sequence = ++_sequence;
            _armed.Add(timer);
            if (dueTime > TimeSpan.Zero && (!_autoAdvance || dueTime > AutoAdvanceLimit))
            {
                return true;
            }
            if (dueTime > TimeSpan.Zero)
            {
                _totalDelayed += dueTime;
                _delays.Add(dueTime);
            }
            var target = timer.DueAt.Value;
            fired = [];
            while (NextDue(target) is { } due)
            {
                fired.Add(due);
                Rearm(due);
            }
            if (target > _now)
            {
                _now = target;
            }
        }
        ThreadPool.UnsafeQueueUserWorkItem(static timers => timers.ForEach(t => t.Invoke()), fired, preferLocal: false);
        return true;
    }

    private static void ThrowIfInvalid(TimeSpan value, string name)
    {
        if (value < TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(name, value, "must be non-negative or Timeout.InfiniteTimeSpan");
        }
    }

    // Callers hold _gate.
    private ManualTimer? NextDue(DateTimeOffset notAfter)
    {
        ManualTimer? next = null;
        foreach (var timer in _armed)
        {
            if (timer.DueAt <= notAfter
                && (next is null || timer.DueAt < next.DueAt || (timer.DueAt == next.DueAt && timer.Sequence < next.Sequence)))
            {
                next = timer;
            }
        }
        return next;
    }

    // Callers hold _gate: a periodic timer moves to its next tick, a one-shot timer is disarmed.
    private void Rearm(ManualTimer timer)
    {
        if (timer.Period is { } period)
        {
            timer.DueAt += period;
            timer.Sequence = ++_sequence;
        }
        else
        {
            timer.DueAt = null;
            _armed.Remove(timer);
        }
    }

    private void Disarm(ManualTimer timer)
    {
        lock (_gate)
        {
            timer.Disposed = true;
            timer.DueAt = null;
            _armed.Remove(timer);
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? DueAt { get; set; }
        public TimeSpan? Period { get; set; }
        public long Sequence { get; set; }
        public bool Disposed { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period) => owner.Arm(this, dueTime, period);

        public void Invoke() => callback(state);

        public void Dispose() => owner.Disarm(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
