using System.Net;
using System.Text.Json;
using Drover.Hcloud.Contracts;
using Microsoft.Extensions.Logging;

namespace Drover.Hcloud;

/// <summary>
/// Retries <c>conflict</c>, <c>rate_limit_exceeded</c> (waiting for <c>RateLimit-Reset</c>), 502, 503, 504 and
/// request timeouts with exponential backoff through the <see cref="TimeProvider"/>. Everything else passes through.
/// </summary>
internal sealed class RetryHandler(HcloudClientOptions options, ILogger logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            HttpResponseMessage response;
            try
            {
                response = await base.SendAsync(request, cancellationToken);
            }
            catch (Exception e) when (IsTimeout(e, cancellationToken) && attempt < options.MaxRetries)
            {
                var wait = Backoff(attempt);
                logger.LogWarning("{Method} {Path}: timed out, retry {Attempt} in {Delay}", request.Method, request.RequestUri?.AbsolutePath, attempt + 1, wait);
                await Task.Delay(wait, options.TimeProvider, cancellationToken);
                continue;
            }
            if (attempt >= options.MaxRetries || await RetryReasonAsync(response, cancellationToken) is not { } reason)
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

    private static async Task<string?> RetryReasonAsync(HttpResponseMessage response, CancellationToken ct)
    {
        switch (response.StatusCode)
        {
            case HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout:
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
    /// Waits until one request is available again: never beyond <c>RateLimit-Reset</c> (when the budget is full),
    /// and no longer than one refill interval (an hour divided by <c>RateLimit-Limit</c>).
    /// </summary>
    private TimeSpan RateLimitDelay(HttpResponseMessage response, int attempt)
    {
        if (RateLimitInfo.FromHeaders(response.Headers) is not { } info)
        {
            return Backoff(attempt);
        }
        var untilReset = info.Reset - options.TimeProvider.GetUtcNow();
        var perRequest = TimeSpan.FromSeconds(3600.0 / Math.Max(1, info.Limit));
        var delay = untilReset < perRequest ? untilReset : perRequest;
        if (delay < TimeSpan.FromMilliseconds(100))
        {
            delay = TimeSpan.FromMilliseconds(100);
        }
        return delay > options.RetryDelayMax ? options.RetryDelayMax : delay;
    }
}
