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
        var uri = new Uri(options.MetadataUrl, relative);
        var delay = options.InitialRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            string problem;
            var left = deadline - options.Time.GetUtcNow();
            using (var requestCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                requestCts.CancelAfter(left < options.RequestTimeout ? (left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1)) : options.RequestTimeout);
                try
                {
                    using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseContentRead, requestCts.Token);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        return new Answer(await response.Content.ReadAsByteArrayAsync(requestCts.Token), attempt);
                    }

                    if (noneStatuses.Contains(response.StatusCode))
                    {
                        return new Answer(null, attempt);
                    }

                    problem = $"HTTP {(int)response.StatusCode}";
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    problem = "request timed out";
                }
                catch (HttpRequestException e)
                {
                    problem = e.InnerException?.Message ?? e.Message;
                }
            }

            var now = options.Time.GetUtcNow();
            if (now >= deadline)
            {
                throw new AgentException(string.Create(CultureInfo.InvariantCulture,
                    $"{uri} did not answer within {options.Timeout.TotalSeconds:0.###}s ({attempt} attempts, last: {problem})"));
            }

            await Task.Delay(delay < deadline - now ? delay : deadline - now, options.Time, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxRetryDelay.Ticks));
        }
    }
}
