using System.Net.Http.Headers;
using System.Text.Json;

namespace Drover.LocalCloud.Tests.Support;

/// <summary>A raw HTTP answer of the local cloud: status, body text, headers and the body parsed as JSON.</summary>
public sealed class ApiReply
{
    private readonly Lazy<JsonElement> _json;

    public ApiReply(int status, string body, HttpResponseHeaders headers, HttpContentHeaders contentHeaders)
    {
        Status = status;
        Body = body;
        Headers = headers;
        ContentHeaders = contentHeaders;
        _json = new(() =>
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        });
    }

    public int Status { get; }
    public string Body { get; }
    public HttpResponseHeaders Headers { get; }
    public HttpContentHeaders ContentHeaders { get; }

    /// <summary>The media type of the body, or null when the response has no <c>Content-Type</c>.</summary>
    public string? ContentType => ContentHeaders.ContentType?.MediaType;

    /// <summary>The body as JSON (throws when it is not JSON).</summary>
    public JsonElement Json => _json.Value;

    /// <summary><c>error.code</c> of an error body.</summary>
    public string ErrorCode => Json.GetProperty("error").GetProperty("code").GetString()!;

    /// <summary><c>error.message</c> of an error body.</summary>
    public string ErrorMessage => Json.GetProperty("error").GetProperty("message").GetString()!;

    /// <summary>The names in <c>error.details.fields[]</c>.</summary>
    public IReadOnlyList<string> ErrorFields => [.. Json.GetProperty("error").GetProperty("details").GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()!)];

    /// <summary>The first value of a response header, or null.</summary>
    public string? Header(string name) => Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    public override string ToString() => $"HTTP {Status} {Body}";
}
