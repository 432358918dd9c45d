using System.Globalization;
using System.Net;

namespace Drover.Agent;

/// <summary>
/// Reads the metadata service with retries: any connection failure, timeout or unexpected status is retried with
/// exponential backoff until the shared deadline. No proxy is used (the service is link-local).
/// </summary>
internal sealed class MetadataClient(HttpClient http, AgentOptions options, DateTimeOffset deadline)
{
    /// <summary>One answer: the body (null for "none") and how many attempts it took.</summary>
    public sealed record Answer(byte[]? Body, int Attempts);

    public static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
    })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan,
    };

    /// <summary>
    /// GETs <paramref name="relative"/>; 200 gives the body. Statuses in <paramref name="noneStatuses"/> give a null body
    /// (204 on <c>/userdata</c>). Everything else is retried until the deadline, then an <see cref="AgentException"/>.
    /// </summary>
    public async Task<Answer> GetAsync(string relative, IReadOnlyCollection<HttpStatusCode> noneStatuses, CancellationToken cancellationToken)
    {
        var delay = options.InitialRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            var (answer, problem) = await TryOnceAsync(relative, noneStatuses, options.RequestTimeout, cancellationToken);
            if (answer is not null)
            {
                return answer with { Attempts = attempt };
            }

            delay = await BackOffAsync(relative, attempt, problem!, delay, cancellationToken);
        }
    }

    /// <summary>
    /// One GET, limited to <paramref name="timeout"/> (and to what is left before the deadline): the answer (attempts 1),
    /// or null and what went wrong.
    /// </summary>
    public async Task<(Answer? Answer, string? Problem)> TryOnceAsync(string relative, IReadOnlyCollection<HttpStatusCode> noneStatuses,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        var uri = new Uri(options.MetadataUrl, relative);
        var left = deadline - options.Time.GetUtcNow();
        using var requestCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        requestCts.CancelAfter(left < timeout ? (left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1)) : timeout);
        try
        {
            using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseContentRead, requestCts.Token);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return (new Answer(await response.Content.ReadAsByteArrayAsync(requestCts.Token), 1), null);
            }

            return noneStatuses.Contains(response.StatusCode) ? (new Answer(null, 1), null) : (null, $"HTTP {(int)response.StatusCode}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, "request timed out");
        }
        catch (HttpRequestException e)
        {
            return (null, e.InnerException?.Message ?? e.Message);
        }
    }

    /// <summary>
    /// After a failed attempt: past the deadline an <see cref="AgentException"/> naming the URL (and
    /// <paramref name="also"/>, what else was looked for), else waits <paramref name="delay"/> (cut at the deadline)
    /// and returns the next delay (doubled, up to the maximum).
    /// </summary>
    public async Task<TimeSpan> BackOffAsync(string relative, int attempt, string problem, TimeSpan delay, CancellationToken cancellationToken, string? also = null)
    {
        var now = options.Time.GetUtcNow();
        if (now >= deadline)
        {
            throw new AgentException(string.Create(CultureInfo.InvariantCulture,
                $"{new Uri(options.MetadataUrl, relative)} did not answer within {options.Timeout.TotalSeconds:0.###}s ({attempt} attempts, last: {problem}){also}"));
        }

        await Task.Delay(delay < deadline - now ? delay : deadline - now, options.Time, cancellationToken);
        return TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxRetryDelay.Ticks));
    }
}
