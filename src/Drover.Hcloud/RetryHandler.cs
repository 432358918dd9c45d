using System.Net;
using System.Text.Json;
using Drover.Hcloud.Contracts;
using Microsoft.Extensions.Logging;

namespace Drover.Hcloud;

/// <summary>
/// Retries <c>conflict</c> and <c>rate_limit_exceeded</c> (the API refused the request before acting on it; the wait
/// for the rate limit follows <c>RateLimit-Reset</c>) for every method, and 502, 503, 504 and per-attempt timeouts only
/// for idempotent methods (GET, PUT, DELETE): a POST that timed out may have been carried out, and sending it again
/// could create a second server or snapshot. Backoff is exponential, through the <see cref="TimeProvider"/>.
/// </summary>
internal sealed class RetryHandler(HcloudClientOptions options, ILogger logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            HttpResponseMessage response;
            // An I/O timeout per attempt, on the real clock: it guards a socket, not the logic under test.
            using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attemptTimeout.CancelAfter(options.RequestTimeout);
            try
            {
                response = await base.SendAsync(request, attemptTimeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && attemptTimeout.IsCancellationRequested)
            {
                if (!IsIdempotent(request.Method) || attempt >= options.MaxRetries)
                {
                    throw new TimeoutException($"{request.Method} {request.RequestUri?.AbsolutePath} got no answer within {options.RequestTimeout.TotalSeconds:0} s");
                }
                var wait = Backoff(attempt);
                logger.LogWarning("{Method} {Path}: timed out, retry {Attempt} in {Delay}", request.Method, request.RequestUri?.AbsolutePath, attempt + 1, wait);
                await Task.Delay(wait, options.TimeProvider, cancellationToken);
                continue;
            }
            catch (Exception e) when (IsTimeout(e, cancellationToken) && IsIdempotent(request.Method) && attempt < options.MaxRetries)
            {
                var wait = Backoff(attempt);
                logger.LogWarning("{Method} {Path}: timed out, retry {Attempt} in {Delay}", request.Method, request.RequestUri?.AbsolutePath, attempt + 1, wait);
                await Task.Delay(wait, options.TimeProvider, cancellationToken);
                continue;
            }
            if (attempt >= options.MaxRetries || await RetryReasonAsync(request.Method, response, cancellationToken) is not { } reason)
            {
                return response;
            }
            var delay = reason == ErrorCode.RateLimitExceeded ? RateLimitDelay(response, attempt) : Backoff(attempt);
            logger.LogWarning("{Method} {Path}: {Reason}, retry {Attempt} in {Delay}", request.Method, request.RequestUri?.AbsolutePath, reason, attempt + 1, delay);
            response.Dispose();
            await Task.Delay(delay, options.TimeProvider, cancellationToken);
        }
    }

    private static bool IsTimeout(Exception e, CancellationToken ct)
        => !ct.IsCancellationRequested && e is TaskCanceledException or TimeoutException
            || e is HttpRequestException { InnerException: TimeoutException };

    private static bool IsIdempotent(HttpMethod method)
        => method == HttpMethod.Get || method == HttpMethod.Put || method == HttpMethod.Delete || method == HttpMethod.Head;

    private static async Task<string?> RetryReasonAsync(HttpMethod method, HttpResponseMessage response, CancellationToken ct)
    {
        switch (response.StatusCode)
        {
            case HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout when IsIdempotent(method):
                return ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            case HttpStatusCode.Conflict or HttpStatusCode.TooManyRequests:
                var code = await ReadCodeAsync(response, ct);
                return code is ErrorCode.Conflict or ErrorCode.RateLimitExceeded ? code : null;
            default:
                return null;
        }
    }

    private static async Task<string?> ReadCodeAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/json")
        {
            return null;
        }
        await response.Content.LoadIntoBufferAsync(ct);
        try
        {
            var body = JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(ct), HcloudJsonContext.Default.ErrorResponse);
            return body?.Error.Code;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var ms = options.RetryDelay.TotalMilliseconds * Math.Pow(2, attempt);
        return TimeSpan.FromMilliseconds(Math.Min(ms, options.RetryDelayMax.TotalMilliseconds));
    }

    /// <summary>
    /// Waits until one request is available again: the budget refills evenly until <c>RateLimit-Reset</c>, so one
    /// request comes back every (reset - now) / (limit - remaining). "Now" is the response's <c>Date</c> when present, so a
    /// skewed local clock does not matter; the wait is never beyond the reset and at most <c>RetryDelayMax</c>.
    /// </summary>
    private TimeSpan RateLimitDelay(HttpResponseMessage response, int attempt)
    {
        if (RateLimitInfo.FromHeaders(response.Headers) is not { } info)
        {
            return Backoff(attempt);
        }
        var now = response.Headers.Date ?? options.TimeProvider.GetUtcNow();
        var untilReset = info.Reset - now;
        var missing = Math.Max(1, info.Limit - info.Remaining);
        var delay = untilReset / missing;
        if (delay < TimeSpan.FromMilliseconds(100))
        {
            delay = TimeSpan.FromMilliseconds(100);
        }
        return delay > options.RetryDelayMax ? options.RetryDelayMax : delay;
    }
}
