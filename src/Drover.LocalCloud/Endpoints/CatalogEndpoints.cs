using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Http;
using Drover.LocalCloud.State;
using static Drover.Hcloud.Contracts.HcloudJsonContext;

namespace Drover.LocalCloud.Endpoints;

/// <summary><c>/v1/server_types</c> and <c>/v1/locations</c> (read-only catalog).</summary>
internal static class CatalogEndpoints
{
    public static void Map(IEndpointRouteBuilder app, LocalCloudState state)
    {
        var catalog = state.Catalog;
        app.MapGet("/v1/server_types", (HttpContext ctx) =>
        {
            var (items, meta) = catalog.ServerTypes.WhereEquals(ctx, "name", t => t.Name)
                .Sorted(ctx, t => t.Id, new Dictionary<string, Func<ServerType, IComparable?>> { ["id"] = t => t.Id, ["name"] = t => t.Name })
                .Paginate(ctx);
            return Wire.Json(new ServerTypesResponse { ServerTypes = items, Meta = meta }, Default.ServerTypesResponse);
        });
        app.MapGet("/v1/server_types/{id:long}", (long id) => Wire.Json(
            new ServerTypeResponse { ServerType = catalog.ServerTypes.FirstOrDefault(t => t.Id == id) ?? throw ApiException.NotFound("server type") },
            Default.ServerTypeResponse));
        app.MapGet("/v1/locations", (HttpContext ctx) =>
        {
            var (items, meta) = catalog.Locations.WhereEquals(ctx, "name", l => l.Name)
                .Sorted(ctx, l => l.Id, new Dictionary<string, Func<Location, IComparable?>> { ["id"] = l => l.Id, ["name"] = l => l.Name })
                .Paginate(ctx);
            return Wire.Json(new LocationsResponse { Locations = items, Meta = meta }, Default.LocationsResponse);
        });
        app.MapGet("/v1/locations/{id:long}", (long id) => Wire.Json(
            new LocationResponse { Location = catalog.Locations.FirstOrDefault(l => l.Id == id) ?? throw ApiException.NotFound("location") },
            Default.LocationResponse));
        app.MapGet("/v1/datacenters", (HttpContext ctx) =>
        {
            var (items, meta) = catalog.Datacenters.WhereEquals(ctx, "name", d => d.Name)
                .Sorted(ctx, d => d.Id, new Dictionary<string, Func<Datacenter, IComparable?>> { ["id"] = d => d.Id, ["name"] = d => d.Name })
                .Paginate(ctx);
            return Wire.Json(new DatacentersResponse { Datacenters = items, Meta = meta, Recommendation = items.Count > 0 ? items[0].Id : 0 }, LocalCloudJsonContext.Default.DatacentersResponse);
        });
    }
}
