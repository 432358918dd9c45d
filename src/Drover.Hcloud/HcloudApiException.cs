using System.Net;
using Drover.Hcloud.Contracts;

namespace Drover.Hcloud;

/// <summary>
/// Any non-2xx answer of the API. Filter on <see cref="Code"/>:
/// <c>catch (HcloudApiException e) when (e.Code == ErrorCode.Conflict)</c>.
/// </summary>
public sealed class HcloudApiException : Drover.Core.DroverException
{
    public HcloudApiException(string code, string apiMessage, ErrorDetails? details, HttpStatusCode statusCode,
        string? correlationId, string method, string path)
        : base(Format(code, apiMessage, details, statusCode, correlationId, method, path))
    {
        Code = code;
        ApiMessage = apiMessage;
        Details = details;
        StatusCode = statusCode;
        CorrelationId = correlationId;
        Method = method;
        Path = path;
    }

    /// <summary>The API's error code, e.g. <c>invalid_input</c>.</summary>
    public string Code { get; }

    /// <summary>The API's message, without the request context.</summary>
    public string ApiMessage { get; }

    public ErrorDetails? Details { get; }
    public HttpStatusCode StatusCode { get; }
    public string? CorrelationId { get; }

    /// <summary>HTTP method of the failed request.</summary>
    public string Method { get; }

    /// <summary>Path (and query) of the failed request, relative to the endpoint.</summary>
    public string Path { get; }

    private static string Format(string code, string message, ErrorDetails? details, HttpStatusCode status,
        string? correlationId, string method, string path)
    {
        var fields = details?.Fields is { Count: > 0 } f
            ? " [" + string.Join("; ", f.Select(x => x.Messages is { Count: > 0 } m ? $"{x.Name}: {string.Join(", ", m)}" : x.Name)) + "]"
            : "";
        var id = correlationId is null ? "" : $", correlation id {correlationId}";
        return $"{message}{fields} ({code}, HTTP {(int)status}, {method} {path}{id})";
    }
}
