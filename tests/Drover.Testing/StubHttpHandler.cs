using System.Text;

namespace Drover.Testing;

/// <summary>
/// An <see cref="HttpMessageHandler"/> that answers an ordered list of expected requests with canned responses
/// (hcloud-go's <c>mockutil</c>). A request that is not the next expected one - other method, other path and query,
/// failed body or header check, or one too many - fails the test with a <see cref="StubMismatchException"/>;
/// <see cref="VerifyAllCalled"/> (also run by <see cref="HttpMessageHandler.Dispose()"/>) fails when an expected request
/// was never made. Paths compare exactly as path and query relative to the host: <c>/v1/servers?page=1&amp;per_page=50</c>.
/// </summary>
/// <example>
/// <code>
/// using var stub = new StubHttpHandler();
/// stub.Expect(HttpMethod.Get, "/v1/servers/42").Respond(HttpStatusCode.NotFound, """{"error": {...}}""");
/// var client = HcloudClient.Create(options, stub);
/// </code>
/// </example>
public sealed class StubHttpHandler : HttpMessageHandler
{
    private readonly Lock _gate = new();
    private readonly List<StubExpectation> _expectations = [];
    private readonly List<RecordedRequest> _requests = [];
    private int _next;
    private string? _firstFailure;
    private bool _disposed;

    /// <summary>Every request received so far, in order (matched or not).</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Adds the next expected request; configure it and finish with one of its <c>Respond</c> methods.</summary>
    public StubExpectation Expect(HttpMethod method, string pathAndQuery)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentException.ThrowIfNullOrEmpty(pathAndQuery);
        if (!pathAndQuery.StartsWith('/'))
        {
            throw new ArgumentException($"'{pathAndQuery}' must start with '/' (path and query relative to the host)", nameof(pathAndQuery));
        }
        var expectation = new StubExpectation(this, method, pathAndQuery);
        lock (_gate)
        {
            _expectations.Add(expectation);
        }
        return expectation;
    }

    /// <summary>Fails when a request did not match, or when an expected request was not made.</summary>
    public void VerifyAllCalled()
    {
        lock (_gate)
        {
            if (_firstFailure is not null)
            {
                throw new StubMismatchException(_firstFailure);
            }
            if (_next < _expectations.Count)
            {
                var missing = _expectations.Skip(_next).Select((e, i) => $"  #{_next + i + 1} {e}");
                throw new StubMismatchException(
                    $"{_expectations.Count - _next} expected request(s) were not made:{Environment.NewLine}" +
                    string.Join(Environment.NewLine, missing) + Environment.NewLine + History());
            }
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var recorded = await RecordAsync(request, cancellationToken);
        StubExpectation expectation;
        int number;
        lock (_gate)
        {
            _requests.Add(recorded);
            number = _requests.Count;
            if (_next >= _expectations.Count)
            {
                throw Fail($"unexpected request #{number}: {recorded}; all {_expectations.Count} expected request(s) were already made.");
            }
            expectation = _expectations[_next];
            if (expectation.Method != recorded.Method || expectation.PathAndQuery != recorded.PathAndQuery)
            {
                throw Fail($"unexpected request #{number}: {recorded}{Environment.NewLine}  expected #{_next + 1}: {expectation}");
            }
            if (!expectation.HasResponse)
            {
                throw Fail($"expected request #{_next + 1} ({expectation}) has no response: finish it with Respond(...)");
            }
            _next++;
        }
        try
        {
            expectation.Check(recorded);
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                throw Fail($"request #{number} ({recorded}) failed its check: {e.Message}", e);
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
        return expectation.CreateResponse(request);
    }

    /// <summary>Verifies (once) that every expected request was made; see <see cref="VerifyAllCalled"/>.</summary>
    protected override void Dispose(bool disposing)
    {
        var verify = false;
        lock (_gate)
        {
            if (disposing && !_disposed)
            {
                _disposed = true;
                verify = true;
            }
        }
        base.Dispose(disposing);
        if (verify)
        {
            VerifyAllCalled();
        }
    }

    private static async Task<RecordedRequest> RecordAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
        {
            headers[name] = string.Join(", ", values);
        }
        var body = "";
        if (request.Content is { } content)
        {
            foreach (var (name, values) in content.Headers)
            {
                headers[name] = string.Join(", ", values);
            }
            body = await content.ReadAsStringAsync(cancellationToken);
        }
        return new RecordedRequest(request.Method, request.RequestUri?.PathAndQuery ?? "", headers, body);
    }

    private StubMismatchException Fail(string message, Exception? inner = null)
    {
        var full = message + Environment.NewLine + History();
        _firstFailure ??= full;
        return new StubMismatchException(full, inner);
    }

    private string History()
    {
        var sb = new StringBuilder("Expected requests:");
        for (var i = 0; i < _expectations.Count; i++)
        {
            sb.AppendLine().Append($"  #{i + 1} {_expectations[i]}{(i < _next ? " (made)" : "")}");
        }
        sb.AppendLine().Append("Requests received:");
        if (_requests.Count == 0)
        {
            sb.Append(" none");
        }
        for (var i = 0; i < _requests.Count; i++)
        {
            sb.AppendLine().Append($"  #{i + 1} {_requests[i]}");
        }
        return sb.ToString();
    }
}
