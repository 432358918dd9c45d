using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Drover.Hcloud.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Drover.Hcloud;

/// <summary>
/// Typed client for the Hetzner Cloud API. Resource clients hang off it as properties
/// (<see cref="Servers"/>, <see cref="Images"/>, ...). Built from an <see cref="HttpClient"/> whose handler should come
/// from <see cref="CreateHandler"/> so that retries and backoff apply.
/// </summary>
public sealed class HcloudClient
{
    private readonly HttpClient _http;
    private readonly ILogger _logger;

    public HcloudClient(HttpClient httpClient, HcloudClientOptions options, ILogger<HcloudClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Token, nameof(options));
        _http = httpClient;
        Options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        Servers = new ServersClient(this);
        Images = new ImagesClient(this);
        Actions = new ActionsClient(this);
        SshKeys = new SshKeysClient(this);
        ServerTypes = new ServerTypesClient(this);
        Locations = new LocationsClient(this);
        Networks = new NetworksClient(this);
        Firewalls = new FirewallsClient(this);
        Volumes = new VolumesClient(this);
    }

    /// <summary>Builds a client with its own <see cref="HttpClient"/> over the retry handler chain.</summary>
    public static HcloudClient Create(HcloudClientOptions options, HttpMessageHandler? innerHandler = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<HcloudClient>();
        return new HcloudClient(new HttpClient(CreateHandler(options, innerHandler, logger)) { Timeout = Timeout.InfiniteTimeSpan }, options, logger);
    }

    /// <summary>The resilience chain (retry with backoff) over <paramref name="innerHandler"/> (default: sockets).</summary>
    public static HttpMessageHandler CreateHandler(HcloudClientOptions options, HttpMessageHandler? innerHandler = null, ILogger? logger = null)
        => new RetryHandler(options, logger ?? NullLogger.Instance) { InnerHandler = innerHandler ?? new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.All } };

    public HcloudClientOptions Options { get; }
    public ServersClient Servers { get; }
    public ImagesClient Images { get; }
    public ActionsClient Actions { get; }
    public SshKeysClient SshKeys { get; }
    public ServerTypesClient ServerTypes { get; }
    public LocationsClient Locations { get; }
    public NetworksClient Networks { get; }
    public FirewallsClient Firewalls { get; }
    public VolumesClient Volumes { get; }

    /// <summary>The rate-limit headers of the most recent response, if it had them.</summary>
    public RateLimitInfo? RateLimit { get; private set; }

    /// <summary>Number of HTTP requests this client has answered (after retries, each try counts).</summary>
    public long RequestCount => Interlocked.Read(ref _requestCount);

    private long _requestCount;

    internal async Task<TResponse?> SendAsync<TResponse>(HttpMethod method, string path, HttpContent? content,
        JsonTypeInfo<TResponse>? responseType, CancellationToken cancellationToken)
        where TResponse : class
    {
        using var request = new HttpRequestMessage(method, new Uri(Options.NormalizedEndpoint, path)) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Options.Token);
        request.Headers.UserAgent.ParseAdd(Options.UserAgent);
        request.Headers.Accept.ParseAdd("application/json");
        var started = Stopwatch.GetTimestamp();
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        Interlocked.Increment(ref _requestCount);
        RateLimit = RateLimitInfo.FromHeaders(response.Headers) ?? RateLimit;
        _logger.LogDebug("{Method} /{Path} -> {Status} in {Elapsed} ms", method, path, (int)response.StatusCode, (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if (!response.IsSuccessStatusCode)
        {
            throw await ToExceptionAsync(response, method, path, cancellationToken);
        }
        if (responseType is null || response.StatusCode == HttpStatusCode.NoContent)
        {
            return null;
        }
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await JsonSerializer.DeserializeAsync(stream, responseType, cancellationToken)
            ?? throw new JsonException($"{method} /{path}: empty response body");
    }

    internal async Task<TResponse> SendRequiredAsync<TResponse>(HttpMethod method, string path, HttpContent? content,
        JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
        where TResponse : class
        => (await SendAsync(method, path, content, responseType, cancellationToken))!;

    internal async Task<TResponse?> GetOrNullAsync<TResponse>(string path, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
        where TResponse : class
    {
        try
        {
            return await SendAsync(HttpMethod.Get, path, null, responseType, cancellationToken);
        }
        catch (HcloudApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    internal static HttpContent Json<T>(T body, JsonTypeInfo<T> typeInfo)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, typeInfo));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    internal async Task<Page<T>> ListPageAsync<TResponse, T>(string path, Query query, int page, int perPage,
        JsonTypeInfo<TResponse> responseType, Func<TResponse, IReadOnlyList<T>> items, Func<TResponse, Meta?> meta,
        CancellationToken cancellationToken)
        where TResponse : class
    {
        query.Add("page", page).Add("per_page", perPage);
        var response = await SendRequiredAsync(HttpMethod.Get, query.Apply(path), null, responseType, cancellationToken);
        var list = items(response);
        var pagination = meta(response)?.Pagination ?? new Pagination { Page = page, PerPage = perPage, LastPage = page, TotalEntries = list.Count };
        return new Page<T>(list, pagination);
    }

    internal async IAsyncEnumerable<T> ListAllAsync<TResponse, T>(string path, Func<Query> query,
        JsonTypeInfo<TResponse> responseType, Func<TResponse, IReadOnlyList<T>> items, Func<TResponse, Meta?> meta,
        [EnumeratorCancellation] CancellationToken cancellationToken)
        where TResponse : class
    {
        int? page = 1;
        while (page is { } current)
        {
            var result = await ListPageAsync(path, query(), current, Options.PageSize, responseType, items, meta, cancellationToken);
            foreach (var item in result.Items)
            {
                yield return item;
            }
            // Guard against a server that points back (an endless loop otherwise).
            page = result.Pagination.NextPage is { } next && next > current ? next : null;
        }
    }

    private static async Task<HcloudApiException> ToExceptionAsync(HttpResponseMessage response, HttpMethod method, string path, CancellationToken ct)
    {
        var correlationId = response.Headers.TryGetValues("X-Correlation-Id", out var ids) ? ids.FirstOrDefault() : null;
        ErrorBody? error = null;
        if (response.Content.Headers.ContentType?.MediaType == "application/json")
        {
            try
            {
                error = JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(ct), HcloudJsonContext.Default.ErrorResponse)?.Error;
            }
            catch (JsonException)
            {
                // Not the error envelope: fall through to a code derived from the status.
            }
        }
        var code = error?.Code ?? response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => ErrorCode.Unauthorized,
            HttpStatusCode.NotFound => ErrorCode.NotFound,
            HttpStatusCode.TooManyRequests => ErrorCode.RateLimitExceeded,
            HttpStatusCode.InternalServerError => ErrorCode.ServerError,
            HttpStatusCode.BadGateway => ErrorCode.BadGateway,
            HttpStatusCode.ServiceUnavailable => ErrorCode.Unavailable,
            HttpStatusCode.GatewayTimeout => ErrorCode.Timeout,
            _ => ErrorCode.UnknownError,
        };
        var message = error?.Message ?? $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
        return new HcloudApiException(code, message, error?.Details, response.StatusCode, correlationId, method.Method, "/" + path);
    }
}
