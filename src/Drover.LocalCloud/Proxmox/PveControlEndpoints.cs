namespace Drover.LocalCloud.Proxmox;

/// <summary>
/// The local Proxmox's control methods under <c>/__localcloud/proxmox/</c> (the local cloud's bearer token, never
/// under <c>/api2/</c>): <c>PUT</c>/<c>DELETE …/snippets/{name}</c> write and remove a snippet in the <c>local</c>
/// storage's <c>snippets/</c>. Real PVE cannot upload snippets through its API (clients copy them over SSH to the
/// node); this is the local node's stand-in for that SSH.
/// </summary>
internal static class PveControlEndpoints
{
    public static void Map(IEndpointRouteBuilder app, LocalProxmox pve)
    {
        var group = app.MapGroup("/__localcloud/proxmox");
        group.MapPut("/snippets/{name}", async (string name, HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            try
            {
                var volid = pve.State.WriteSnippet(name, buffer.ToArray());
                return Results.Json(new PveSnippet(volid), PveControlJsonContext.Default.PveSnippet);
            }
            catch (PveException e)
            {
                throw Http.ApiException.InvalidInput("name", e.Errors?.Values.FirstOrDefault() ?? e.Message);
            }
        });
        group.MapDelete("/snippets/{name}", (string name) => pve.State.DeleteSnippet(name) ? Results.NoContent() : throw Http.ApiException.NotFound($"snippet '{name}'"));
    }
}

/// <summary>What <c>PUT /__localcloud/proxmox/snippets/{name}</c> answers: the snippet's volume ID (<c>local:snippets/NAME</c>).</summary>
public sealed record PveSnippet(string Volid);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
[System.Text.Json.Serialization.JsonSerializable(typeof(PveSnippet))]
internal sealed partial class PveControlJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
