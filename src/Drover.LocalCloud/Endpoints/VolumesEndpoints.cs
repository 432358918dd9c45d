using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Http;
using Drover.LocalCloud.State;
using static Drover.Hcloud.Contracts.HcloudJsonContext;

namespace Drover.LocalCloud.Endpoints;

/// <summary><c>/v1/volumes</c>.</summary>
internal static class VolumesEndpoints
{
    public static void Map(IEndpointRouteBuilder app, LocalCloudState state)
    {
        var volumes = app.MapGroup("/v1/volumes");
        volumes.MapGet("", (HttpContext ctx) => state.Run(() =>
        {
            var (items, meta) = state.Volumes().WhereEquals(ctx, "name", v => v.Name).WhereIn(ctx, "status", v => v.Status, ["available", "creating"])
                .WhereLabels(ctx, v => v.Labels)
                .Sorted(ctx, v => v.Id, new Dictionary<string, Func<Volume, IComparable?>> { ["id"] = v => v.Id, ["name"] = v => v.Name, ["created"] = v => v.Created })
                .Paginate(ctx);
            return Wire.Json(new VolumesResponse { Volumes = items, Meta = meta }, Default.VolumesResponse);
        }));
        volumes.MapPost("", async (HttpContext ctx) =>
        {
            var body = await Wire.ReadAsync(ctx, Default.CreateVolumeRequest);
            return state.Run(() => Wire.Json(state.CreateVolume(body), Default.CreateVolumeResult, 201));
        });
        volumes.MapGet("/{id:long}", (long id) => state.Run(() => Wire.Json(new VolumeResponse { Volume = state.GetVolume(id) }, Default.VolumeResponse)));
        volumes.MapPut("/{id:long}", async (HttpContext ctx, long id) =>
        {
            var body = await Wire.ReadAsync(ctx, Default.UpdateVolumeRequest);
            return state.Run(() => Wire.Json(new VolumeResponse { Volume = state.UpdateVolume(id, body) }, Default.VolumeResponse));
        });
        volumes.MapDelete("/{id:long}", (long id) => state.Run(() =>
        {
            state.DeleteVolume(id);
            return Wire.NoContent();
        }));
        volumes.MapPost("/{id:long}/actions/attach", async (HttpContext ctx, long id) =>
        {
            var body = await Wire.ReadAsync(ctx, Default.AttachVolumeRequest);
            return state.Run(() => Wire.Action(state.AttachVolume(id, body)));
        });
        volumes.MapPost("/{id:long}/actions/detach", (long id) => state.Run(() => Wire.Action(state.DetachVolume(id))));
    }
}
