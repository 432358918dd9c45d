using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Http;
using Drover.LocalCloud.State;
using static Drover.Hcloud.Contracts.HcloudJsonContext;

namespace Drover.LocalCloud.Endpoints;

/// <summary><c>/v1/networks</c>.</summary>
internal static class NetworksEndpoints
{
    public static void Map(IEndpointRouteBuilder app, LocalCloudState state)
    {
        var networks = app.MapGroup("/v1/networks");
        networks.MapGet("", (HttpContext ctx) => state.Run(() =>
        {
            var (items, meta) = state.Networks().WhereEquals(ctx, "name", n => n.Name).WhereLabels(ctx, n => n.Labels)
                .Sorted(ctx, n => n.Id, new Dictionary<string, Func<Network, IComparable?>> { ["id"] = n => n.Id, ["name"] = n => n.Name, ["created"] = n => n.Created })
                .Paginate(ctx);
            return Wire.Json(new NetworksResponse { Networks = items, Meta = meta }, Default.NetworksResponse);
        }));
        networks.MapPost("", async (HttpContext ctx) =>
        {
            var body = await Wire.ReadAsync(ctx, Default.CreateNetworkRequest);
            return state.Run(() => Wire.Json(new NetworkResponse { Network = state.CreateNetwork(body) }, Default.NetworkResponse, 201));
        });
        networks.MapGet("/{id:long}", (long id) => state.Run(() => Wire.Json(new NetworkResponse { Network = state.GetNetwork(id) }, Default.NetworkResponse)));
        networks.MapPut("/{id:long}", async (HttpContext ctx, long id) =>
        {
            var body = await Wire.ReadAsync(ctx, Default.UpdateNetworkRequest);
            return state.Run(() => Wire.Json(new NetworkResponse { Network = state.UpdateNetwork(id, body) }, Default.NetworkResponse));
        });
        networks.MapDelete("/{id:long}", (long id) => state.Run(() =>
        {
            state.DeleteNetwork(id);
            return Wire.NoContent();
        }));
        networks.MapPost("/{id:long}/actions/add_subnet", async (HttpContext ctx, long id) =>
        {
            var body = await Wire.ReadAsync(ctx, Default.CreateSubnet);
            return state.Run(() => Wire.Action(state.AddSubnet(id, body)));
        });
    }
}
