using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Http;
using Drover.LocalCloud.State;
using static Drover.Hcloud.Contracts.HcloudJsonContext;

namespace Drover.LocalCloud.Endpoints;

/// <summary><c>/v1/ssh_keys</c>.</summary>
internal static class SshKeysEndpoints
{
    public static void Map(IEndpointRouteBuilder app, LocalCloudState state)
    {
        var keys = app.MapGroup("/v1/ssh_keys");
        keys.MapGet("", (HttpContext ctx) => state.Run(() =>
        {
            var (items, meta) = state.SshKeys()
                .WhereEquals(ctx, "name", k => k.Name)
                .WhereEquals(ctx, "fingerprint", k => k.Fingerprint)
                .WhereLabels(ctx, k => k.Labels)
                .Sorted(ctx, k => k.Id, new Dictionary<string, Func<SshKey, IComparable?>> { ["id"] = k => k.Id, ["name"] = k => k.Name })
                .Paginate(ctx);
            return Wire.Json(new SshKeysResponse { SshKeys = items, Meta = meta }, Default.SshKeysResponse);
        }));
        keys.MapPost("", async (HttpContext ctx) =>
        {
            var body = await Wire.ReadAsync(ctx, Default.CreateSshKeyRequest);
            return state.Run(() => Wire.Json(new SshKeyResponse { SshKey = state.CreateSshKey(body) }, Default.SshKeyResponse, 201));
        });
        keys.MapGet("/{id:long}", (long id) => state.Run(() => Wire.Json(new SshKeyResponse { SshKey = state.GetSshKey(id) }, Default.SshKeyResponse)));
        keys.MapPut("/{id:long}", async (HttpContext ctx, long id) =>
        {
            var body = await Wire.ReadAsync(ctx, Default.UpdateSshKeyRequest);
            return state.Run(() => Wire.Json(new SshKeyResponse { SshKey = state.UpdateSshKey(id, body) }, Default.SshKeyResponse));
        });
        keys.MapDelete("/{id:long}", (long id) => state.Run(() =>
        {
            state.DeleteSshKey(id);
            return Wire.NoContent();
        }));
    }
}
