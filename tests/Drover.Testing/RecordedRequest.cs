namespace Drover.Testing;

/// <summary>A request a <see cref="StubHttpHandler"/> received, as it saw it.</summary>
/// <param name="Method">HTTP method.</param>
/// <param name="PathAndQuery">Path and query relative to the host, e.g. <c>/v1/servers?page=1&amp;per_page=50</c>.</param>
/// <param name="Headers">Request and content headers (names as sent), each with its values joined by ", ".</param>
/// <param name="Body">The body as text; empty when there was none.</param>
public sealed record RecordedRequest(HttpMethod Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body)
{
    /// <summary>The value of a header, or null when it was not sent (names compare case-insensitively).</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public override string ToString() => $"{Method} {PathAndQuery}";
}
