namespace Drover.LocalCloud.Http;

/// <summary>
/// A token bucket per project (one per instance, as all clients share the token): <c>budget</c> requests,
/// one more every refill interval. Reports the API's <c>RateLimit-Limit</c>, <c>-Remaining</c> and <c>-Reset</c>.
/// </summary>
public sealed class RateLimiter(TimeProvider timeProvider, int budget, TimeSpan refillInterval)
{
    private readonly Lock _lock = new();
    private double _tokens = budget;
    private DateTimeOffset _last = timeProvider.GetUtcNow();

    public int Budget { get; private set; } = budget;
    public TimeSpan RefillInterval { get; private set; } = refillInterval;

    /// <summary>Changes the budget (and fills the bucket), e.g. from the control API.</summary>
    public void Configure(int newBudget, TimeSpan newRefillInterval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(newBudget, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(newRefillInterval, TimeSpan.Zero);
        lock (_lock)
        {
            Budget = newBudget;
            RefillInterval = newRefillInterval;
            _tokens = newBudget;
            _last = timeProvider.GetUtcNow();
        }
    }

    /// <summary>Takes one request from the budget; false when none is left.</summary>
    public bool TryAcquire(out int limit, out int remaining, out long reset)
    {
        lock (_lock)
        {
            var now = timeProvider.GetUtcNow();
            _tokens = Math.Min(Budget, _tokens + ((now - _last) / RefillInterval));
            _last = now;
            var ok = _tokens >= 1;
            if (ok)
            {
                _tokens -= 1;
            }
            limit = Budget;
            remaining = (int)Math.Floor(_tokens);
            var untilFull = RefillInterval * (Budget - _tokens);
            reset = (now + untilFull).ToUnixTimeSeconds() + (untilFull > TimeSpan.Zero ? 1 : 0);
            return ok;
        }
    }
}
