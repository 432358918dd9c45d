using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Drover.LocalCloud.Proxmox;

/// <summary>
/// Reads a request's parameters as pve-http-server's extract_params does: the query string for every method, plus for
/// POST and PUT an <c>application/x-www-form-urlencoded</c> or <c>application/json</c> body (query values win), or a
/// <c>multipart/form-data</c> upload whose file part is spooled to a directory of the storage.
/// </summary>
internal static class PveRequestReader
{
    public static async Task<(Dictionary<string, string> Parameters, PveUpload? Upload)> ReadAsync(HttpRequest request, string spoolDirectory, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        PveUpload? upload = null;
        if (request.Method is "POST" or "PUT")
        {
            var type = request.ContentType ?? "application/x-www-form-urlencoded";
            if (type.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            {
                upload = await ReadMultipartAsync(request, parameters, spoolDirectory, cancellationToken);
            }
            else
            {
                using var reader = new StreamReader(request.Body);
                var text = await reader.ReadToEndAsync(cancellationToken);
                if (type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
                {
                    ReadJson(text, parameters);
                }
                else
                {
                    foreach (var (name, values) in QueryHelpers.ParseQuery(text))
                    {
                        parameters[name] = values.ToString();
                    }
                }
            }
        }
        foreach (var (name, values) in request.Query)
        {
            parameters[name] = values.ToString();
        }
        return (parameters, upload);
    }

    private static void ReadJson(string text, Dictionary<string, string> parameters)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return;
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new PveException(400, "malformed JSON request body: not an object");
            }
            foreach (var property in document.RootElement.EnumerateObject())
            {
                switch (property.Value.ValueKind)
                {
                    case JsonValueKind.Null:
                        break;
                    case JsonValueKind.True:
                        parameters[property.Name] = "1";
                        break;
                    case JsonValueKind.False:
                        parameters[property.Name] = "0";
                        break;
                    case JsonValueKind.String:
                        parameters[property.Name] = property.Value.GetString()!;
                        break;
                    case JsonValueKind.Array:
                        parameters[property.Name] = string.Join(',', property.Value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()));
                        break;
                    default:
                        parameters[property.Name] = property.Value.GetRawText();
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            throw new PveException(400, $"malformed JSON request body: {e.Message}");
        }
    }

    private static async Task<PveUpload?> ReadMultipartAsync(HttpRequest request, Dictionary<string, string> parameters, string spoolDirectory, CancellationToken cancellationToken)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }
        var boundary = HeaderUtilities.RemoveQuotes(MediaTypeHeaderValue.Parse(request.ContentType).Boundary).Value
            ?? throw new PveException(400, "multipart upload without a boundary");
        var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = null };
        PveUpload? upload = null;
        while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
            {
                continue;
            }
            var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
            if (disposition.IsFileDisposition())
            {
                Directory.CreateDirectory(spoolDirectory);
                var spool = Path.Combine(spoolDirectory, "pveupload-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)));
                await using (var file = File.Create(spool))
                {
                    await section.Body.CopyToAsync(file, cancellationToken);
                }
                var fileName = HeaderUtilities.RemoveQuotes(disposition.FileName).Value ?? "";
                upload = new PveUpload(fileName, spool, new FileInfo(spool).Length);
                // PVE takes the file part's name as the filename unless a filename parameter came first.
                parameters.TryAdd("filename", fileName);
            }
            else
            {
                using var text = new StreamReader(section.Body);
                parameters[name] = await text.ReadToEndAsync(cancellationToken);
            }
        }
        return upload;
    }
}
