using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Drover.Hcloud.Contracts;

namespace Drover.LocalCloud.Http;

/// <summary>Reads request bodies and writes responses in the API's wire format.</summary>
internal static class Wire
{
    /// <summary>Reads a JSON body; malformed JSON or a wrong shape is <c>400 json_error</c>.</summary>
    public static async Task<T> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> typeInfo) where T : class
    {
        var body = await ReadOptionalAsync(context, typeInfo);
        return body ?? throw new ApiException(400, "json_error", "the request body must be a JSON object");
    }

    /// <summary>Like <see cref="ReadAsync{T}"/>, but an empty body yields null (action endpoints with optional bodies).</summary>
    public static async Task<T?> ReadOptionalAsync<T>(HttpContext context, JsonTypeInfo<T> typeInfo) where T : class
    {
        using var reader = new StreamReader(context.Request.Body);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize(text, typeInfo);
        }
        catch (JsonException e) when (MissingRequired(e.Message) is { Count: > 0 } missing)
        {
            throw new ApiException(422, "invalid_input", $"invalid input in field '{missing[0]}': is required",
                new ErrorDetails { Fields = [.. missing.Select(m => new ErrorField { Name = m, Messages = ["is required"] })] });
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, byte {e.BytePositionInLine + 1}" : "";
            var path = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "" : $" ({e.Path.TrimStart('$', '.')})";
            throw new ApiException(400, "json_error", $"invalid JSON{where}{path}: {FirstSentence(e.Message)}");
        }
    }

    /// <summary>The JSON names of required properties System.Text.Json reports as missing, if that is the error.</summary>
    private static List<string> MissingRequired(string message)
    {
        const string Marker = "missing required properties including: ";
        var at = message.IndexOf(Marker, StringComparison.Ordinal);
        return at < 0 ? [] : [.. message[(at + Marker.Length)..].Split(',').Select(p => p.Trim().Trim('.').Trim('\'')).Where(p => p.Length > 0)];
    }

    private static string FirstSentence(string message)
    {
        var i = message.IndexOf(". ", StringComparison.Ordinal);
        return i < 0 ? message : message[..i];
    }

    public static IResult Json<T>(T value, JsonTypeInfo<T> typeInfo, int status = 200)
        => Results.Json(value, typeInfo, contentType: "application/json", statusCode: status);

    public static IResult Action(CloudAction action, int status = 201)
        => Json(new ActionResponse { Action = action }, HcloudJsonContext.Default.ActionResponse, status);

    /// <summary>204 with no body and no content type (old hcloud-go fails on a JSON content type here).</summary>
    public static IResult NoContent() => Results.NoContent();

    public static async Task WriteErrorAsync(HttpContext context, int status, string code, string message, ErrorDetails? details = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var body = new ErrorResponse { Error = new ErrorBody { Code = code, Message = message, Details = details } };
        await JsonSerializer.SerializeAsync(context.Response.Body, body, HcloudJsonContext.Default.ErrorResponse, context.RequestAborted);
    }
}
