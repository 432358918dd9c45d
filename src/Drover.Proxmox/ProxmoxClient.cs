using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Drover.Proxmox.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Drover.Proxmox;

/// <summary>
/// Typed client for the Proxmox VE API (<c>https://host:8006/api2/json</c>). Resource clients hang off it as
/// properties (<see cref="Cluster"/>, <see cref="Nodes"/>, <see cref="Qemu"/>, <see cref="Storage"/>,
/// <see cref="Tasks"/>); every node-scoped call takes the node explicitly. Build it with <see cref="Create"/> so that
/// the certificate check and the GET retries apply.
/// </summary>
public sealed class ProxmoxClient
{
    private readonly HttpClient _http;
    private readonly ILogger _logger;
    private Session? _session;

    public ProxmoxClient(HttpClient httpClient, ProxmoxClientOptions options, ILogger<ProxmoxClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _http = httpClient;
        Options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        Cluster = new ClusterClient(this);
        Nodes = new NodesClient(this);
        Qemu = new QemuClient(this);
        Storage = new StorageClient(this);
        Tasks = new TasksClient(this);
    }

    /// <summary>
    /// Builds a client with its own <see cref="HttpClient"/>: the retry handler over <paramref name="innerHandler"/>,
    /// or over a socket handler that checks the certificate as <paramref name="options"/> say.
    /// </summary>
    public static ProxmoxClient Create(ProxmoxClientOptions options, HttpMessageHandler? innerHandler = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<ProxmoxClient>();
        return new ProxmoxClient(new HttpClient(CreateHandler(options, innerHandler, logger)) { Timeout = Timeout.InfiniteTimeSpan }, options, logger);
    }

    /// <summary>The handler chain: GET retries over <paramref name="innerHandler"/> (default: sockets with the TLS policy).</summary>
    public static HttpMessageHandler CreateHandler(ProxmoxClientOptions options, HttpMessageHandler? innerHandler = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new RetryHandler(options, logger ?? NullLogger.Instance) { InnerHandler = innerHandler ?? TlsValidation.CreateSocketsHandler(options) };
    }

    public ProxmoxClientOptions Options { get; }
    public ClusterClient Cluster { get; }
    public NodesClient Nodes { get; }
    public QemuClient Qemu { get; }
    public StorageClient Storage { get; }
    public TasksClient Tasks { get; }

    /// <summary>Escapes one path segment (volume ids and UPIDs carry <c>:</c> and <c>/</c>).</summary>
    internal static string Segment(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        return Uri.EscapeDataString(value);
    }

    /// <summary>
    /// Sends one API call: <paramref name="parameters"/> in the query for GET/DELETE, as a form body otherwise; the
    /// answer's <c>data</c> comes back in the envelope.
    /// </summary>
    internal Task<ProxmoxResponse<T>> SendAsync<T>(HttpMethod method, string path, FormParameters? parameters,
        JsonTypeInfo<ProxmoxResponse<T>> responseType, CancellationToken cancellationToken)
    {
        var query = method == HttpMethod.Get || method == HttpMethod.Delete;
        var target = query && parameters is not null ? parameters.ApplyTo(path) : path;
        return SendCoreAsync(method, path, target, () => query ? null : parameters?.ToContent(), replayable: true, noTimeout: false, responseType, cancellationToken);
    }

    /// <summary>Sends a body that can be read only once (an upload): no ticket-renewal replay, no attempt timeout.</summary>
    internal Task<ProxmoxResponse<T>> SendStreamingAsync<T>(string path, HttpContent content,
        JsonTypeInfo<ProxmoxResponse<T>> responseType, CancellationToken cancellationToken)
        => SendCoreAsync(HttpMethod.Post, path, path, () => content, replayable: false, noTimeout: true, responseType, cancellationToken);

    /// <summary>The <c>data</c> of an answer, or a JSON error when it is missing.</summary>
    internal async Task<T> GetDataAsync<T>(HttpMethod method, string path, FormParameters? parameters,
        JsonTypeInfo<ProxmoxResponse<T>> responseType, CancellationToken cancellationToken)
    {
        var response = await SendAsync(method, path, parameters, responseType, cancellationToken);
        return response.Data ?? throw new JsonException($"{method} /{path}: the answer has no data");
    }

    /// <summary>A UPID answer of an asynchronous call.</summary>
    internal async Task<Upid> SendForTaskAsync(HttpMethod method, string path, FormParameters? parameters, CancellationToken cancellationToken)
        => Upid.Parse(await GetDataAsync(method, path, parameters, ProxmoxJsonContext.Default.ProxmoxResponseString, cancellationToken));

    private async Task<ProxmoxResponse<T>> SendCoreAsync<T>(HttpMethod method, string path, string target, Func<HttpContent?> content,
        bool replayable, bool noTimeout, JsonTypeInfo<ProxmoxResponse<T>> responseType, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var session = Options.Ticket is null ? null : await EnsureSessionAsync(cancellationToken);
            using var request = new HttpRequestMessage(method, new Uri(Options.BaseAddress, target)) { Content = content() };
            request.Options.Set(RetryHandler.NoTimeout, noTimeout);
            request.Headers.UserAgent.ParseAdd(Options.UserAgent);
            request.Headers.Accept.ParseAdd("application/json");
            if (Options.ApiToken is { } token)
            {
                request.Headers.TryAddWithoutValidation("Authorization", token.HeaderValue);
            }
            else if (session is not null)
            {
                request.Headers.TryAddWithoutValidation("Cookie", "PVEAuthCookie=" + session.Ticket);
                if (method != HttpMethod.Get)
                {
                    request.Headers.TryAddWithoutValidation("CSRFPreventionToken", session.CsrfToken);
                }
            }
            var started = Stopwatch.GetTimestamp();
            using var response = await SendWithTlsErrorsAsync(request, cancellationToken);
            _logger.LogDebug("{Method} /{Path} -> {Status} in {Elapsed} ms", method, path, (int)response.StatusCode, (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (response.StatusCode == HttpStatusCode.Unauthorized && session is not null && attempt == 0 && replayable)
            {
                // The ticket expired or the server restarted: log in again once and resend.
                _session = null;
                continue;
            }
            if (!response.IsSuccessStatusCode)
            {
                throw await ToExceptionAsync(response, method, path, Options.Principal, cancellationToken);
            }
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            return await JsonSerializer.DeserializeAsync(stream, responseType, cancellationToken)
                ?? throw new JsonException($"{method} /{path}: empty response body");
        }
    }

    private async Task<HttpResponseMessage> SendWithTlsErrorsAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (HttpRequestException e) when (FindTlsError(e) is { } tls)
        {
            throw new ProxmoxTlsException(tls.Message, tls.Presented, tls.Expected);
        }
    }

    private static ProxmoxTlsException? FindTlsError(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is ProxmoxTlsException tls)
            {
                return tls;
            }
        }
        return null;
    }

    private async Task<Session> EnsureSessionAsync(CancellationToken cancellationToken)
    {
        var now = Options.TimeProvider.GetUtcNow();
        if (_session is { } current && now - current.ObtainedAt < Options.TicketLifetime)
        {
            return current;
        }
        // No lock: two concurrent first calls log in twice, and both tickets are valid.
        var credentials = Options.Ticket!;
        var form = new FormParameters().Add("username", credentials.Username).Add("password", credentials.Password).Add("realm", credentials.Realm);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Options.BaseAddress, "access/ticket")) { Content = form.ToContent() };
        request.Headers.UserAgent.ParseAdd(Options.UserAgent);
        using var response = await SendWithTlsErrorsAsync(request, cancellationToken);
        _logger.LogDebug("POST /access/ticket for {User} -> {Status}", credentials.Username, (int)response.StatusCode);
        if (!response.IsSuccessStatusCode)
        {
            throw await ToExceptionAsync(response, HttpMethod.Post, "access/ticket", Options.Principal, cancellationToken);
        }
        var result = (await response.Content.ReadFromJsonAsync(ProxmoxJsonContext.Default.ProxmoxResponseTicketResult, cancellationToken))?.Data;
        if (result?.Ticket is not { Length: > 0 } ticket || result.CsrfPreventionToken is not { Length: > 0 } csrf)
        {
            throw new ProxmoxApiException(HttpStatusCode.Unauthorized, "the login answer carries no ticket (is two-factor auth required for this user?)",
                null, "POST", "/access/ticket", Options.Principal);
        }
        var session = new Session(ticket, csrf, Options.TimeProvider.GetUtcNow());
        _session = session;
        return session;
    }

    internal static async Task<ProxmoxApiException> ToExceptionAsync(HttpResponseMessage response, HttpMethod method, string path, string principal, CancellationToken ct)
    {
        ProxmoxErrorResponse? body = null;
        try
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (text.TrimStart().StartsWith('{'))
            {
                body = JsonSerializer.Deserialize(text, ProxmoxJsonContext.Default.ProxmoxErrorResponse);
            }
        }
        catch (JsonException)
        {
            // Not Proxmox's error body (a proxy's page): the status and reason phrase still say what happened.
        }
        var errors = body?.Errors?.ToDictionary(e => e.Key, e => e.Value.ValueKind == JsonValueKind.String ? e.Value.GetString()!.Trim() : e.Value.GetRawText());
        var reason = body?.Message?.Trim() is { Length: > 0 } message ? message : response.ReasonPhrase?.Trim() is { Length: > 0 } phrase ? phrase : response.StatusCode.ToString();
        return new ProxmoxApiException(response.StatusCode, reason, errors, method.Method, "/" + path, principal);
    }

    private sealed record Session(string Ticket, string CsrfToken, DateTimeOffset ObtainedAt);
}
