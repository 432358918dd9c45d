using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Http;
using Drover.LocalCloud.State;
using static Drover.Hcloud.Contracts.HcloudJsonContext;

namespace Drover.LocalCloud.Endpoints;

/// <summary><c>/v1/servers</c> and its actions.</summary>
internal static class ServersEndpoints
{
    private static readonly string[] _statuses = ["running", "initializing", "starting", "stopping", "off", "deleting", "migrating", "rebuilding", "unknown"];

    public static void Map(IEndpointRouteBuilder app, LocalCloudState state)
    {
        var servers = app.MapGroup("/v1/servers");
        servers.MapGet("", (HttpContext ctx) => state.Run(() =>
        {
            var (items, meta) = state.Servers()
                .WhereEquals(ctx, "name", s => s.Name)
                .WhereIn(ctx, "status", s => s.Status.Value, _statuses)
                .WhereLabels(ctx, s => s.Labels)
                .Sorted(ctx, s => s.Id, new Dictionary<string, Func<Server, IComparable?>> { ["id"] = s => s.Id, ["name"] = s => s.Name, ["created"] = s => s.Created })
                .Paginate(ctx);
            return Wire.Json(new ServersResponse { Servers = items, Meta = meta }, Default.ServersResponse);
        }));
        servers.MapPost("", async (HttpContext ctx) =>
        {
            var body = await Wire.ReadAsync(ctx, Default.CreateServerRequest);
            return state.Run(() => Wire.Json(state.CreateServer(body), Default.CreateServerResult, 201));
        });
        servers.MapGet("/{id:long}", (long id) => state.Run(() => Wire.Json(new ServerResponse { Server = state.GetServer(id) }, Default.ServerResponse)));
        servers.MapPut("/{id:long}", async (HttpContext ctx, long id) =>
        {
            var body = await Wire.ReadAsync(ctx, Default.UpdateServerRequest);
            return state.Run(() => Wire.Json(new ServerResponse { Server = state.UpdateServer(id, body) }, Default.ServerResponse));
        });
        servers.MapDelete("/{id:long}", (long id) => state.Run(() => Wire.Action(state.DeleteServer(id), 200)));

        foreach (var command in new[] { "poweron", "poweroff", "shutdown", "reboot", "reset" })
        {
            servers.MapPost($"/{{id:long}}/actions/{command}", (long id) => state.Run(() => Wire.Action(state.ServerAction(id, command))));
        }
        servers.MapPost("/{id:long}/actions/enable_rescue", async (HttpContext ctx, long id) =>
        {
            var body = await Wire.ReadOptionalAsync(ctx, Default.EnableRescueRequest);
            return state.Run(() => Wire.Json(state.EnableRescue(id, body), Default.EnableRescueResult, 201));
        });
        servers.MapPost("/{id:long}/actions/disable_rescue", (long id) => state.Run(() => Wire.Action(state.DisableRescue(id))));
        servers.MapPost("/{id:long}/actions/create_image", async (HttpContext ctx, long id) =>
        {
            var body = await Wire.ReadOptionalAsync(ctx, Default.CreateImageRequest);
            return state.Run(() => Wire.Json(state.CreateImage(id, body), Default.CreateImageResult, 201));
        });
        servers.MapPost("/{id:long}/actions/rebuild", async (HttpContext ctx, long id) =>
        {
            var body = await Wire.ReadAsync(ctx, Default.RebuildServerRequest);
            return state.Run(() => Wire.Json(state.Rebuild(id, body), Default.RebuildServerResult, 201));
        });
        servers.MapPost("/{id:long}/actions/change_type", async (HttpContext ctx, long id) =>
        {
            var body = await Wire.ReadAsync(ctx, Default.ChangeServerTypeRequest);
            return state.Run(() => Wire.Action(state.ChangeType(id, body)));
        });
        servers.MapPost("/{id:long}/actions/change_protection", async (HttpContext ctx, long id) =>
        {
            var body = await Wire.ReadAsync(ctx, LocalCloudJsonContext.Default.ChangeProtectionRequest);
            return state.Run(() => Wire.Action(state.ChangeServerProtection(id, body.Delete, body.Rebuild)));
        });
        servers.MapPost("/{id:long}/actions/attach_to_network", async (HttpContext ctx, long id) =>
        {
            var body = await Wire.ReadAsync(ctx, Default.AttachToNetworkRequest);
            return state.Run(() => Wire.Action(state.AttachToNetwork(id, body)));
        });
        servers.MapPost("/{id:long}/actions/detach_from_network", async (HttpContext ctx, long id) =>
        {
            var body = await Wire.ReadAsync(ctx, Default.DetachFromNetworkRequest);
            return state.Run(() => Wire.Action(state.DetachFromNetwork(id, body)));
        });
        servers.MapGet("/{id:long}/actions", (HttpContext ctx, long id) => state.Run(() =>
        {
            state.GetServer(id);
            var (items, meta) = state.ActionsOf("server", id).WhereIn(ctx, "status", a => a.Status.Value, ["running", "success", "error"])
                .Sorted(ctx, a => a.Id, ActionsEndpoints.SortKeys).Paginate(ctx);
            return Wire.Json(new ActionsResponse { Actions = items, Meta = meta }, Default.ActionsResponse);
        }));
        servers.MapGet("/{id:long}/actions/{actionId:long}", (long id, long actionId) => state.Run(() =>
        {
            state.GetServer(id);
            var action = state.ActionsOf("server", id).FirstOrDefault(a => a.Id == actionId) ?? throw ApiException.NotFound("action");
            return Wire.Action(action, 200);
        }));
    }
}
