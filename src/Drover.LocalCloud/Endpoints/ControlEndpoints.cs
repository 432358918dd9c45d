using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Http;
using Drover.LocalCloud.State;

namespace Drover.LocalCloud.Endpoints;

/// <summary>
/// Test and operator controls under <c>/__localcloud</c> (never under <c>/v1</c>): status, reset, fault injection,
/// rate-limit budget, finishing actions (after their real work), seeding snapshots.
/// </summary>
internal static class ControlEndpoints
{
    public static void Map(IEndpointRouteBuilder app, LocalCloudState state, FaultInjector faults, RateLimiter rateLimiter, LocalCloudRuntimeInfo info)
    {
        var control = app.MapGroup("/__localcloud");
        var json = LocalCloudJsonContext.Default;
        control.MapGet("/status", ([Microsoft.AspNetCore.Mvc.FromServices] Proxmox.LocalProxmox pve) =>
        {
            var (servers, images, keys, actions) = state.Counts();
            return Wire.Json(new ControlStatus
            {
                Version = info.Version,
                Pid = Environment.ProcessId,
                StateDirectory = info.StateDirectory,
                Machine = info.Machine(),
                RateLimit = new ControlRateLimit { Limit = rateLimiter.Budget, RefillIntervalMs = (long)rateLimiter.RefillInterval.TotalMilliseconds },
                Counts = new ControlCounts { Servers = servers, Images = images, SshKeys = keys, Actions = actions },
                Proxmox = new ControlProxmox { Endpoint = pve.Endpoint, Node = pve.State.Node, TokenId = Proxmox.PveCredentials.TokenId, Fingerprint = pve.Credentials.Fingerprint },
            }, json.ControlStatus);
        });
        control.MapPost("/reset", async ([Microsoft.AspNetCore.Mvc.FromServices] Proxmox.LocalProxmox pve) =>
        {
            await pve.State.ResetAsync();
            var report = await Task.Run(state.Reset);
            faults.Clear();
            return Wire.Json(new ControlReset { Removed = report.Removed, Problems = report.Problems, Machine = info.Machine() }, json.ControlReset);
        });
        control.MapPost("/faults", async (HttpContext ctx) =>
        {
            var f = await Wire.ReadAsync(ctx, json.RequestFault);
            if (string.IsNullOrEmpty(f.Path) || !f.Path.StartsWith("/v1/", StringComparison.Ordinal) || f.Count < 1 || f.Status is < 400 or > 599 || string.IsNullOrEmpty(f.Code))
            {
                throw ApiException.InvalidInput("path", "a fault needs path (under /v1/), count >= 1, status 400..599 and code");
            }
            faults.Add(f);
            return Results.NoContent();
        });
        control.MapPost("/action-faults", async (HttpContext ctx) =>
        {
            var f = await Wire.ReadAsync(ctx, json.ActionFault);
            if (string.IsNullOrEmpty(f.Command) || f.Count < 1)
            {
                throw ApiException.InvalidInput("command", "an action fault needs command and count >= 1");
            }
            faults.Add(f with { Code = string.IsNullOrEmpty(f.Code) ? "action_failed" : f.Code });
            return Results.NoContent();
        });
        control.MapDelete("/faults", () =>
        {
            faults.Clear();
            return Results.NoContent();
        });
        control.MapPost("/rate-limit", async (HttpContext ctx) =>
        {
            var r = await Wire.ReadAsync(ctx, json.ControlRateLimit);
            if (r.Limit < 1 || r.RefillIntervalMs < 1)
            {
                throw ApiException.InvalidInput("limit", "limit and refill_interval_ms must be at least 1");
            }
            rateLimiter.Configure(r.Limit, TimeSpan.FromMilliseconds(r.RefillIntervalMs));
            return Results.NoContent();
        });
        control.MapPost("/actions/complete", async () =>
        {
            // Real work (rescue starts, disk copies) cannot be hurried: wait for it, then finish every action.
            await state.PendingWork().WaitAsync(TimeSpan.FromMinutes(5), TimeProvider.System);
            return Wire.Json(new ControlCompleted { Completed = state.CompleteAllActions() }, json.ControlCompleted);
        });
        control.MapPost("/seed/snapshots", async (HttpContext ctx) =>
        {
            var s = await Wire.ReadAsync(ctx, json.SeedSnapshotsRequest);
            if (s.Count is < 1 or > 100_000)
            {
                throw ApiException.InvalidInput("count", "must be between 1 and 100000");
            }
            if (s.DiskSize is < 1 or > 10_240)
            {
                throw ApiException.InvalidInput("disk_size", "must be between 1 and 10240 (GB)");
            }
            var created = state.Run(() => state.SeedSnapshots(s.Count, s.DescriptionPrefix ?? "seed", Architecture.From(s.Architecture ?? "x86"), s.Labels ?? new Dictionary<string, string>(), s.DiskSize ?? 40));
            return Wire.Json(new ControlCompleted { Completed = created.Count }, json.ControlCompleted, 201);
        });
    }
}
