using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Http;
using Drover.LocalCloud.State;
using static Drover.Hcloud.Contracts.HcloudJsonContext;

namespace Drover.LocalCloud.Endpoints;

/// <summary><c>/v1/firewalls</c>.</summary>
internal static class FirewallsEndpoints
{
    public static void Map(IEndpointRouteBuilder app, LocalCloudState state)
    {
        var firewalls = app.MapGroup("/v1/firewalls");
        firewalls.MapGet("", (HttpContext ctx) => state.Run(() =>
        {
            var (items, meta) = state.Firewalls().WhereEquals(ctx, "name", f => f.Name).WhereLabels(ctx, f => f.Labels)
                .Sorted(ctx, f => f.Id, new Dictionary<string, Func<Firewall, IComparable?>> { ["id"] = f => f.Id, ["name"] = f => f.Name, ["created"] = f => f.Created })
                .Paginate(ctx);
            return Wire.Json(new FirewallsResponse { Firewalls = items, Meta = meta }, Default.FirewallsResponse);
        }));
        firewalls.MapPost("", async (HttpContext ctx) =>
        {
            var body = await Wire.ReadAsync(ctx, Default.CreateFirewallRequest);
            return state.Run(() => Wire.Json(state.CreateFirewall(body), Default.CreateFirewallResult, 201));
        });
        firewalls.MapGet("/{id:long}", (long id) => state.Run(() => Wire.Json(new FirewallResponse { Firewall = state.GetFirewall(id) }, Default.FirewallResponse)));
        firewalls.MapPut("/{id:long}", async (HttpContext ctx, long id) =>
        {
            var body = await Wire.ReadAsync(ctx, Default.UpdateFirewallRequest);
            return state.Run(() => Wire.Json(new FirewallResponse { Firewall = state.UpdateFirewall(id, body) }, Default.FirewallResponse));
        });
        firewalls.MapDelete("/{id:long}", (long id) => state.Run(() =>
        {
            state.DeleteFirewall(id);
            return Wire.NoContent();
        }));
        firewalls.MapPost("/{id:long}/actions/apply_to_resources", async (HttpContext ctx, long id) =>
        {
            var body = await Wire.ReadAsync(ctx, Default.ApplyFirewallRequest);
            return state.Run(() => Actions(state.ApplyFirewall(id, body.ApplyTo ?? throw ApiException.InvalidInput("apply_to", "is required"))));
        });
        firewalls.MapPost("/{id:long}/actions/remove_from_resources", async (HttpContext ctx, long id) =>
        {
            var body = await Wire.ReadAsync(ctx, Default.RemoveFirewallRequest);
            return state.Run(() => Actions(state.RemoveFirewall(id, body.RemoveFrom ?? throw ApiException.InvalidInput("remove_from", "is required"))));
        });
        firewalls.MapPost("/{id:long}/actions/set_rules", async (HttpContext ctx, long id) =>
        {
            var body = await Wire.ReadAsync(ctx, Default.SetFirewallRulesRequest);
            return state.Run(() => Actions(state.SetFirewallRules(id, body.Rules ?? throw ApiException.InvalidInput("rules", "is required"))));
        });
    }

    private static IResult Actions(IReadOnlyList<CloudAction> actions)
        => Wire.Json(new ActionsResponse { Actions = actions }, Default.ActionsResponse, 201);
}
