using System.Globalization;
using Drover.Hcloud;

namespace Drover.LocalCloud.Http;

/// <summary>
/// The API's cross-cutting behaviour, in order: bearer auth (<c>401 unauthorized</c>), injected faults, the rate limit
/// with <c>RateLimit-*</c> headers, optional latency, and the error envelope for everything a handler throws.
/// </summary>
internal sealed class ApiMiddleware(RequestDelegate next, LocalCloudOptions options, RateLimiter rateLimiter,
    FaultInjector faults, ILogger<ApiMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        var isApi = path.StartsWith("/v1/", StringComparison.Ordinal) || path == "/v1";
        var isControl = path.StartsWith("/__localcloud/", StringComparison.Ordinal);
        if (!isApi && !isControl)
        {
            await next(context);
            return;
        }
        context.Response.Headers["X-Correlation-Id"] = Guid.NewGuid().ToString("N")[..16];
        if (!Authorized(context))
        {
            await Wire.WriteErrorAsync(context, 401, ErrorCode.Unauthorized, "unable to authenticate");
            return;
        }
        if (isApi)
        {
            if (faults.TakeRequestFault(context.Request.Method, path) is { } fault)
            {
                await Wire.WriteErrorAsync(context, fault.Status, fault.Code, fault.Message ?? $"injected fault: {fault.Code}");
                return;
            }
            var ok = rateLimiter.TryAcquire(out var limit, out var remaining, out var reset);
            context.Response.Headers["RateLimit-Limit"] = limit.ToString(CultureInfo.InvariantCulture);
            context.Response.Headers["RateLimit-Remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
            context.Response.Headers["RateLimit-Reset"] = reset.ToString(CultureInfo.InvariantCulture);
            if (!ok)
            {
                await Wire.WriteErrorAsync(context, 429, ErrorCode.RateLimitExceeded, "limit of requests per hour reached");
                return;
            }
            if (options.Latency > TimeSpan.Zero)
            {
                await Task.Delay(options.Latency, options.TimeProvider, context.RequestAborted);
            }
        }
        try
        {
            await next(context);
        }
        catch (ApiException e)
        {
            await Wire.WriteErrorAsync(context, e.Status, e.Code, e.Message, e.Details);
        }
        catch (BadHttpRequestException e)
        {
            await Wire.WriteErrorAsync(context, 400, ErrorCode.JsonError, e.Message);
        }
        catch (Exception e) when (!context.Response.HasStarted && e is not OperationCanceledException)
        {
            logger.LogError(e, "{Method} {Path} failed", context.Request.Method, path);
            await Wire.WriteErrorAsync(context, 500, ErrorCode.ServerError, "internal server error");
        }
    }

    private bool Authorized(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        const string Prefix = "Bearer ";
        if (!header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var given = System.Text.Encoding.UTF8.GetBytes(header[Prefix.Length..].Trim());
        var expected = System.Text.Encoding.UTF8.GetBytes(options.Token);
        return System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(given, expected);
    }
}
