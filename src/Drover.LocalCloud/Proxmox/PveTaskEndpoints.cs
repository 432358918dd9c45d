using System.Text.Json.Nodes;
using static Drover.LocalCloud.Proxmox.PveEndpoints;

namespace Drover.LocalCloud.Proxmox;

/// <summary>The <c>/nodes/{node}/tasks</c> methods: list, status and log of worker tasks by UPID.</summary>
internal static class PveTaskEndpoints
{
    public static IEnumerable<PveRoute> Routes(PveState state)
    {
        PveTask Find(PveCall call)
        {
            state.CheckNode(call.Required("node"));
            var upid = call.Required("upid");
            return state.Tasks.Get(upid) ?? throw PveException.Failed($"no such task '{upid}'");
        }
        yield return new("GET", "/nodes/{node}/tasks", call =>
        {
            state.CheckNode(call.Required("node"));
            var items = state.Tasks.All().Where(t => call.Get("vmid") is not { } vmid || t.Id == vmid)
                .OrderByDescending(t => t.StartTime).Select(t => (JsonNode)Item(t));
            return Data(new JsonArray([.. items]));
        });
        yield return new("GET", "/nodes/{node}/tasks/{upid}", call =>
        {
            Find(call);
            return Data(new JsonArray(new JsonObject { ["name"] = "log" }, new JsonObject { ["name"] = "status" }));
        });
        yield return new("GET", "/nodes/{node}/tasks/{upid}/status", call => Data(Item(Find(call))));
        yield return new("GET", "/nodes/{node}/tasks/{upid}/log", call =>
        {
            var log = Find(call).Log;
            var start = int.TryParse(call.Get("start"), out var s) ? s : 0;
            var limit = int.TryParse(call.Get("limit"), out var l) ? l : 50;
            var lines = log.Select((text, n) => (JsonNode)new JsonObject { ["n"] = n + 1, ["t"] = text }).Skip(start).Take(limit);
            return Data(new JsonArray([.. lines]));
        });
    }

    private static JsonObject Item(PveTask task)
    {
        var item = new JsonObject
        {
            ["upid"] = task.Upid,
            ["node"] = task.Node,
            ["pid"] = task.Pid,
            ["pstart"] = task.PStart,
            ["starttime"] = task.StartTime,
            ["type"] = task.Type,
            ["id"] = task.Id,
            ["user"] = task.User,
            ["status"] = task.ExitStatus is null ? "running" : "stopped",
        };
        if (task.ExitStatus is { } exit)
        {
            item["exitstatus"] = exit;
            item["endtime"] = task.EndTime;
        }
        return item;
    }
}
