using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Drover.Testing;

/// <summary>
/// One expected request of a <see cref="StubHttpHandler"/>: optional checks of the body and headers, then the
/// canned answer (<see cref="Respond"/>, <see cref="RespondError"/>, <see cref="RespondRaw"/> or <see cref="Throw"/>),
/// which hands back the handler so the next <c>Expect</c> can follow.
/// </summary>
public sealed class StubExpectation
{
    private readonly StubHttpHandler _handler;
    private readonly List<Action<RecordedRequest>> _checks = [];
    private Func<HttpRequestMessage, HttpResponseMessage>? _respond;

    internal StubExpectation(StubHttpHandler handler, HttpMethod method, string pathAndQuery)
    {
        _handler = handler;
        Method = method;
        PathAndQuery = pathAndQuery;
    }

    public HttpMethod Method { get; }

    public string PathAndQuery { get; }

    internal bool HasResponse => _respond is not null;

    /// <summary>The body must be JSON equal to <paramref name="expectedJson"/> (property order and whitespace do not matter).</summary>
    public StubExpectation WithJsonBody(string expectedJson)
    {
        var expected = JsonNode.Parse(expectedJson);
        _checks.Add(request =>
        {
            JsonNode? actual;
            try
            {
                actual = request.Body.Length == 0 ? null : JsonNode.Parse(request.Body);
            }
            catch (JsonException e)
            {
                throw new StubMismatchException($"the body is not JSON ({e.Message}): {request.Body}");
            }
            if (request.Body.Length == 0)
            {
                throw new StubMismatchException($"expected a JSON body, got none; expected:{Environment.NewLine}{JsonComparison.Format(expected)}");
            }
            if (JsonComparison.FirstDifference(expected, actual) is { } difference)
            {
                throw new StubMismatchException(
                    $"the JSON body differs at {difference}{Environment.NewLine}" +
                    $"expected: {JsonComparison.Format(expected)}{Environment.NewLine}" +
                    $"actual:   {JsonComparison.Format(actual)}");
            }
        });
        return this;
    }

    /// <summary>Runs <paramref name="check"/> on the body text (e.g. Shouldly assertions).</summary>
    public StubExpectation WithBody(Action<string> check)
    {
        ArgumentNullException.ThrowIfNull(check);
        _checks.Add(request => check(request.Body));
        return this;
    }

    /// <summary>The header must have been sent with exactly this value.</summary>
    public StubExpectation WithHeader(string name, string expectedValue)
    {
        _checks.Add(request =>
        {
            var actual = request.Header(name);
            if (actual != expectedValue)
            {
                throw new StubMismatchException(actual is null
                    ? $"header '{name}' was not sent (expected '{expectedValue}')"
                    : $"header '{name}' is '{actual}', expected '{expectedValue}'");
            }
        });
        return this;
    }

    /// <summary>
    /// Answers with <paramref name="status"/> and, when <paramref name="json"/> is not null, that body as
    /// <c>application/json</c>. Without a body (e.g. 204) there is no content type.
    /// </summary>
    public StubHttpHandler Respond(HttpStatusCode status, string? json, Action<HttpResponseHeaders>? headers = null)
        => SetResponse(status, json is null ? null : (json, "application/json"), headers);

    /// <summary>Answers with the API's error envelope <c>{"error": {"code", "message", "details"}}</c>.</summary>
    public StubHttpHandler RespondError(HttpStatusCode status, string code, string message, string detailsJson = "{}", Action<HttpResponseHeaders>? headers = null)
        => Respond(status, "{\"error\": {\"code\": " + JsonSerializer.Serialize(code) + ", \"message\": " + JsonSerializer.Serialize(message) + ", \"details\": " + detailsJson + "}}", headers);

    /// <summary>Answers with an arbitrary body and content type, e.g. an HTML error page of a proxy.</summary>
    public StubHttpHandler RespondRaw(HttpStatusCode status, string body, string mediaType, Action<HttpResponseHeaders>? headers = null)
        => SetResponse(status, (body, mediaType), headers);

    /// <summary>Fails the request with <paramref name="exception"/>, as a broken connection or a timeout would.</summary>
    public StubHttpHandler Throw(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        _respond = _ => throw exception;
        return _handler;
    }

    internal void Check(RecordedRequest request)
    {
        foreach (var check in _checks)
        {
            check(request);
        }
    }

    internal HttpResponseMessage CreateResponse(HttpRequestMessage request) => _respond!(request);

    public override string ToString() => $"{Method} {PathAndQuery}";

    private StubHttpHandler SetResponse(HttpStatusCode status, (string Text, string MediaType)? body, Action<HttpResponseHeaders>? headers)
    {
        _respond = request =>
        {
            var response = new HttpResponseMessage(status) { RequestMessage = request };
            if (body is { } b)
            {
                response.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(b.Text));
                response.Content.Headers.ContentType = new MediaTypeHeaderValue(b.MediaType);
            }
            else
            {
                response.Content = new ByteArrayContent([]);
            }
            headers?.Invoke(response.Headers);
            return response;
        };
        return _handler;
    }
}
