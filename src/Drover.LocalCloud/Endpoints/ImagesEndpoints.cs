using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Http;
using Drover.LocalCloud.State;
using static Drover.Hcloud.Contracts.HcloudJsonContext;

namespace Drover.LocalCloud.Endpoints;

/// <summary><c>/v1/images</c>.</summary>
internal static class ImagesEndpoints
{
    public static void Map(IEndpointRouteBuilder app, LocalCloudState state)
    {
        var images = app.MapGroup("/v1/images");
        images.MapGet("", (HttpContext ctx) => state.Run(() =>
        {
            var includeDeprecated = ctx.Request.Query["include_deprecated"].ToString() switch
            {
                "" or "false" => false,
                "true" => true,
                var other => throw ApiException.InvalidInput("include_deprecated", $"'{other}' is not a boolean"),
            };
            var (items, meta) = state.Images()
                .Where(i => includeDeprecated || i.Deprecated is null)
                .WhereEquals(ctx, "name", i => i.Name)
                .WhereIn(ctx, "type", i => i.Type.Value, ["system", "app", "snapshot", "backup"])
                .WhereIn(ctx, "status", i => i.Status.Value, ["available", "creating", "unavailable"])
                .WhereIn(ctx, "architecture", i => i.Architecture.Value, ["x86", "arm"])
                .WhereIn(ctx, "bound_to", i => i.BoundTo?.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .WhereLabels(ctx, i => i.Labels)
                .Sorted(ctx, i => i.Id, new Dictionary<string, Func<Image, IComparable?>> { ["id"] = i => i.Id, ["name"] = i => i.Name, ["created"] = i => i.Created })
                .Paginate(ctx);
            return Wire.Json(new ImagesResponse { Images = items, Meta = meta }, Default.ImagesResponse);
        }));
        images.MapGet("/{id:long}", (long id) => state.Run(() => Wire.Json(new ImageResponse { Image = state.GetImage(id) }, Default.ImageResponse)));
        images.MapPut("/{id:long}", async (HttpContext ctx, long id) =>
        {
            var body = await Wire.ReadAsync(ctx, Default.UpdateImageRequest);
            return state.Run(() => Wire.Json(new ImageResponse { Image = state.UpdateImage(id, body) }, Default.ImageResponse));
        });
        images.MapDelete("/{id:long}", (long id) => state.Run(() =>
        {
            state.DeleteImage(id);
            return Wire.NoContent();
        }));
        images.MapPost("/{id:long}/actions/change_protection", async (HttpContext ctx, long id) =>
        {
            var body = await Wire.ReadAsync(ctx, LocalCloudJsonContext.Default.ChangeProtectionRequest);
            return state.Run(() => Wire.Action(state.ChangeImageProtection(id, body.Delete)));
        });
    }
}
