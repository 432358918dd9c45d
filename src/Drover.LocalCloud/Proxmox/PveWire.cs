using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Features;

namespace Drover.LocalCloud.Proxmox;

/// <summary>
/// Writes responses as pve-http-server does: <c>Content-Type: application/json;charset=UTF-8</c> (no space),
/// <c>{"data":…}</c> on success, and on errors the message in the HTTP reason phrase (first line only) with
/// <c>{"data":null,"message":"…\n","errors":{…}}</c> in the body (libpve-http-server-perl 5.2 and later).
/// </summary>
internal static class PveWire
{
    public const string ContentType = "application/json;charset=UTF-8";

    public static async Task WriteDataAsync(HttpContext context, JsonNode? data)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = ContentType;
        var body = new JsonObject { ["data"] = data };
        await context.Response.WriteAsync(body.ToJsonString(), Encoding.UTF8, context.RequestAborted);
    }

    public static async Task WriteErrorAsync(HttpContext context, int status, string message, IReadOnlyDictionary<string, string>? errors = null)
    {
        var text = message.EndsWith('\n') ? message : message + "\n";
        var firstLine = text[..text.IndexOf('\n', StringComparison.Ordinal)];
        context.Response.StatusCode = status;
        context.Response.ContentType = ContentType;
        if (context.Features.Get<IHttpResponseFeature>() is { } feature)
        {
            feature.ReasonPhrase = firstLine;
        }
        var body = new JsonObject { ["data"] = null, ["message"] = text };
        if (errors is not null)
        {
            var fields = new JsonObject();
            foreach (var (name, why) in errors)
            {
                fields[name] = why;
            }
            body["errors"] = fields;
        }
        await context.Response.WriteAsync(body.ToJsonString(), Encoding.UTF8, context.RequestAborted);
    }
}
