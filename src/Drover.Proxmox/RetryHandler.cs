using System.Net;
using Microsoft.Extensions.Logging;

namespace Drover.Proxmox;

/// <summary>
/// Retries GETs only (a POST, PUT or DELETE that failed half-way may have been carried out: Proxmox would clone or
/// destroy twice) when the answer was 502, 503 or 504, the connection failed, or the attempt timed out. A 500 is
/// Proxmox's answer for most real errors (a missing VM) and 401 means wrong credentials: neither is retried. Backoff
/// doubles from <see cref="ProxmoxClientOptions.RetryDelay"/>, through the <see cref="TimeProvider"/>.
/// </summary>
internal sealed class RetryHandler(ProxmoxClientOptions options, ILogger logger) : DelegatingHandler
{
    /// <summary>Set on a request that may take as long as it takes (uploads).</summary>
    public static readonly HttpRequestOptionsKey<bool> NoTimeout = new("Drover.Proxmox.NoTimeout");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var retryable = request.Method == HttpMethod.Get;
        for (var attempt = 0; ; attempt++)
        {
            using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (!(request.Options.TryGetValue(NoTimeout, out var noTimeout) && noTimeout))
            {
                // An I/O guard on the real clock: it protects a socket, not the logic under test.
                attemptTimeout.CancelAfter(options.RequestTimeout);
            }
            string reason;
            try
            {
                var response = await base.SendAsync(request, attemptTimeout.Token);
                if (!retryable || attempt >= options.MaxRetries
                    || response.StatusCode is not (HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout))
                {
                    return response;
                }
                reason = $"HTTP {(int)response.StatusCode}";
                response.Dispose();
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && attemptTimeout.IsCancellationRequested)
            {
                if (!retryable || attempt >= options.MaxRetries)
                {
                    throw new TimeoutException($"{request.Method} {request.RequestUri?.AbsolutePath} got no answer within {options.RequestTimeout.TotalSeconds:0} s");
                }
                reason = "timed out";
            }
            catch (HttpRequestException e) when (retryable && attempt < options.MaxRetries
                                                 && e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.ResponseEnded)
            {
                reason = e.Message;
            }
            var delay = TimeSpan.FromMilliseconds(options.RetryDelay.TotalMilliseconds * Math.Pow(2, attempt));
            logger.LogWarning("{Method} {Path}: {Reason}, retry {Attempt} in {Delay}", request.Method, request.RequestUri?.AbsolutePath, reason, attempt + 1, delay);
            await Task.Delay(delay, options.TimeProvider, cancellationToken);
        }
    }
}
