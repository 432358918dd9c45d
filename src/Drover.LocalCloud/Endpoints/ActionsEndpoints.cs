using System.Globalization;
using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Http;
using Drover.LocalCloud.State;
using static Drover.Hcloud.Contracts.HcloudJsonContext;

namespace Drover.LocalCloud.Endpoints;

/// <summary><c>/v1/actions</c>: get one, or many by <c>id</c> (listing all was removed from the API).</summary>
internal static class ActionsEndpoints
{
    public static readonly Dictionary<string, Func<CloudAction, IComparable?>> SortKeys = new()
    {
        ["id"] = a => a.Id,
        ["command"] = a => a.Command,
        ["status"] = a => a.Status.Value,
        ["started"] = a => a.Started,
        ["finished"] = a => a.Finished,
    };

    public static void Map(IEndpointRouteBuilder app, LocalCloudState state)
    {
        app.MapGet("/v1/actions", (HttpContext ctx) =>
        {
            var raw = ctx.Request.Query["id"].Where(v => !string.IsNullOrEmpty(v)).ToList();
            if (raw.Count == 0)
            {
                throw ApiException.InvalidInput("id", "at least one id is required");
            }
            var ids = raw.Select(v => long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : throw ApiException.InvalidInput("id", $"'{v}' is not an ID")).ToList();
            return state.Run(() =>
            {
                // Every requested action in one answer, no pagination: the spec documents only 'id' here.
                var items = state.GetActions(ids).Sorted(ctx, a => a.Id, SortKeys).ToList();
                return Wire.Json(new ActionsResponse { Actions = items }, Default.ActionsResponse);
            });
        });
        app.MapGet("/v1/actions/{id:long}", (long id) => state.Run(() => Wire.Action(state.GetAction(id) ?? throw ApiException.NotFound("action"), 200)));
    }
}
