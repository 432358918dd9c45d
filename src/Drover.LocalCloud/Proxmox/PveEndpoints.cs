using System.Text.Json.Nodes;

namespace Drover.LocalCloud.Proxmox;

/// <summary>The API's methods: access, version, cluster, node; the qemu, storage and task methods have their own files.</summary>
internal static class PveEndpoints
{
    public const string Version = "9.1.3";
    public const string Release = "9.1";
    public const string RepoId = "0000000000000000";

    public static List<PveRoute> All(PveState state, PveAuth auth, Func<string> fingerprint)
    {
        var routes = new List<PveRoute>
        {
            new("GET", "/access/ticket", _ => Task.FromResult<JsonNode?>(null)),
            new("POST", "/access/ticket", call =>
            {
                var login = auth.Login(call.Required("username"), call.Get("realm"), call.Required("password"))
                    ?? throw new PveException(401, "authentication failure");
                var user = call.Required("username").Contains('@', StringComparison.Ordinal) ? call.Required("username") : $"{call.Required("username")}@{call.Get("realm") ?? "pam"}";
                return Data(new JsonObject
                {
                    ["username"] = user,
                    ["ticket"] = login.Ticket,
                    ["CSRFPreventionToken"] = login.Csrf,
                    ["cap"] = new JsonObject(),
                });
            }),
            new("GET", "/version", _ => Data(new JsonObject { ["version"] = Version, ["release"] = Release, ["repoid"] = RepoId })),
            new("GET", "/nodes", _ => Data(new JsonArray(NodeItem(state, fingerprint)))),
            new("GET", "/nodes/{node}/status", call =>
            {
                state.CheckNode(call.Required("node"));
                return Data(new JsonObject
                {
                    ["uptime"] = 1,
                    ["cpu"] = 0.0,
                    ["pveversion"] = $"pve-manager/{Version}/{RepoId}",
                    ["kversion"] = "Linux (Drover local Proxmox VE)",
                    ["cpuinfo"] = new JsonObject { ["cpus"] = Environment.ProcessorCount, ["model"] = "QEMU TCG" },
                });
            }),
            new("GET", "/cluster/nextid", call => Data(JsonValue.Create(state.NextId(call.Get("vmid") is { } v ? long.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : null)))),
            new("GET", "/cluster/resources", call =>
            {
                var type = call.Get("type");
                var items = new JsonArray();
                if (type is null or "vm")
                {
                    foreach (var vm in state.Vms())
                    {
                        var item = PveQemuEndpoints.ListItem(state, vm);
                        item["id"] = $"qemu/{vm.Vmid}";
                        item["type"] = "qemu";
                        item["node"] = state.Node;
                        item["template"] = vm.Config.IsTemplate ? 1 : 0;
                        items.Add(item);
                    }
                }
                if (type is null or "node")
                {
                    var node = NodeItem(state, fingerprint);
                    node["id"] = $"node/{state.Node}";
                    node["type"] = "node";
                    items.Add(node);
                }
                if (type is null or "storage")
                {
                    items.Add(new JsonObject { ["id"] = $"storage/{state.Node}/{PveStorage.Name}", ["type"] = "storage", ["storage"] = PveStorage.Name, ["node"] = state.Node, ["status"] = "available", ["content"] = PveStorage.Content, ["plugintype"] = "dir", ["shared"] = 0 });
                }
                return Data(items);
            }),
        };
        routes.AddRange(PveQemuEndpoints.Routes(state));
        routes.AddRange(PveStorageEndpoints.Routes(state));
        routes.AddRange(PveTaskEndpoints.Routes(state));
        return routes;
    }

    public static Task<JsonNode?> Data(JsonNode? node) => Task.FromResult(node);

    private static JsonObject NodeItem(PveState state, Func<string> fingerprint) => new()
    {
        ["node"] = state.Node,
        ["status"] = "online",
        ["level"] = "",
        ["ssl_fingerprint"] = fingerprint(),
        ["maxcpu"] = Environment.ProcessorCount,
        ["cpu"] = 0.0,
        ["uptime"] = 1,
    };
}
