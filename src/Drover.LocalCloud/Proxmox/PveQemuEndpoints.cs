using System.Globalization;
using System.Text.Json.Nodes;
using static Drover.LocalCloud.Proxmox.PveEndpoints;

namespace Drover.LocalCloud.Proxmox;

/// <summary>The <c>/nodes/{node}/qemu</c> methods: list, create, config, template, clone, resize, power, cloud-init, agent, delete.</summary>
internal static class PveQemuEndpoints
{
    private const string Vm = "/nodes/{node}/qemu/{vmid}";

    /// <summary>Cloud-init keys <c>GET …/cloudinit</c> lists.</summary>
    private static readonly string[] _cloudInitKeys = ["cicustom", "cipassword", "citype", "ciupgrade", "ciuser", "nameserver", "searchdomain", "sshkeys"];

    private static readonly string[] _subdirectories = ["agent", "cloudinit", "config", "pending", "status", "clone", "template", "resize"];

    public static IEnumerable<PveRoute> Routes(PveState state)
    {
        long Id(PveCall call)
        {
            state.CheckNode(call.Required("node"));
            return call.Long("vmid");
        }
        yield return new("GET", "/nodes/{node}/qemu", call =>
        {
            state.CheckNode(call.Required("node"));
            return Data(new JsonArray([.. state.Vms().Select(vm => (JsonNode)ListItem(state, vm))]));
        });
        yield return new("POST", "/nodes/{node}/qemu", call =>
        {
            state.CheckNode(call.Required("node"));
            return Upid(state.Create(call.Parameters, call.User));
        });
        yield return new("GET", Vm, call =>
        {
            state.Vm(Id(call));
            return Data(new JsonArray([.. _subdirectories.Select(s => (JsonNode)new JsonObject { ["subdir"] = s })]));
        });
        yield return new("DELETE", Vm, call => Upid(state.Destroy(Id(call), call.User)));
        yield return new("GET", Vm + "/config", call => Data(Config(state.Vm(Id(call)))));
        yield return new("POST", Vm + "/config", call =>
        {
            var vmid = Id(call);
            state.Vm(vmid);
            var task = state.Tasks.Start("qmconfig", vmid.ToString(CultureInfo.InvariantCulture), call.User, t => state.UpdateConfigAsync(vmid, call.Parameters, t, CancellationToken.None));
            return Upid(task);
        });
        yield return new("PUT", Vm + "/config", async call =>
        {
            await state.UpdateConfigAsync(Id(call), call.Parameters, null, call.CancellationToken);
            return null;
        });
        yield return new("POST", Vm + "/template", call => Upid(state.Template(Id(call), call.User)));
        yield return new("POST", Vm + "/clone", call => Upid(state.Clone(Id(call), call.Parameters, call.User)));
        yield return new("PUT", Vm + "/resize", call => Upid(state.Resize(Id(call), call.Required("disk"), call.Required("size"), call.User)));
        yield return new("GET", Vm + "/status/current", call => Data(Status(state, state.Vm(Id(call)))));
        yield return new("POST", Vm + "/status/start", call => Upid(state.Start(Id(call), call.User)));
        yield return new("POST", Vm + "/status/stop", call => Upid(state.Stop(Id(call), "qmstop", call.Parameters, call.User)));
        yield return new("POST", Vm + "/status/shutdown", call => Upid(state.Stop(Id(call), "qmshutdown", call.Parameters, call.User)));
        yield return new("POST", Vm + "/status/reboot", call => Upid(state.Stop(Id(call), "qmreboot", call.Parameters, call.User)));
        yield return new("GET", Vm + "/cloudinit", call =>
        {
            var config = state.Vm(Id(call)).Config;
            var items = new JsonArray();
            foreach (var key in _cloudInitKeys.Concat(config.Values.Keys.Where(k => k.StartsWith("ipconfig", StringComparison.Ordinal))).Where(k => config[k] is not null))
            {
                items.Add(new JsonObject { ["key"] = key, ["value"] = key == "cipassword" ? "**********" : config[key] });
            }
            return Data(items);
        });
        yield return new("PUT", Vm + "/cloudinit", async call =>
        {
            await state.RegenerateCloudInitAsync(Id(call), call.CancellationToken);
            return null;
        });
        yield return new("GET", Vm + "/cloudinit/dump", call =>
        {
            var vmid = Id(call);
            return Data(JsonValue.Create(state.CloudInit.Dump(state.Vm(vmid).Config, vmid, call.Required("type"))));
        });
        yield return new("GET", Vm + "/agent/network-get-interfaces", async call => await state.AgentAsync(Id(call), "guest-network-get-interfaces", call.CancellationToken));
        yield return new("POST", Vm + "/agent/ping", async call =>
        {
            await state.AgentAsync(Id(call), "guest-ping", call.CancellationToken);
            return new JsonObject();
        });
    }

    public static Task<JsonNode?> Upid(PveTask task) => Data(JsonValue.Create(task.Upid));

    /// <summary>GET config: every key, integers and booleans as numbers as the schema types them, the password masked, and <c>digest</c>.</summary>
    private static JsonObject Config(PveVm vm)
    {
        var result = new JsonObject();
        var types = PveSchema.Routes["PUT /nodes/{node}/qemu/{vmid}/config"];
        foreach (var (key, value) in vm.Config.Values)
        {
            var type = types.FirstOrDefault(p => p.Name == key || p.Name == System.Text.RegularExpressions.Regex.Replace(key, @"\d+$", "[n]"))?.Type;
            result[key] = key == "cipassword" ? "**********"
                : type is PveType.Integer or PveType.Boolean && long.TryParse(value, CultureInfo.InvariantCulture, out var number) ? JsonValue.Create(number)
                : type is PveType.Number && double.TryParse(value, CultureInfo.InvariantCulture, out var real) ? JsonValue.Create(real)
                : JsonValue.Create(value);
        }
        if (vm.Lock is { } held)
        {
            result["lock"] = held;
        }
        result["digest"] = vm.Config.Digest();
        return result;
    }

    public static JsonObject ListItem(PveState state, PveVm vm)
    {
        var config = vm.Config;
        var disk = config.DriveKeys.Where(k => !k.StartsWith("unused", StringComparison.Ordinal) && !PveState.IsCloudInit(config[k]!))
            .Select(k => PveVmConfig.SizeBytes(config[k]!) ?? 0).Sum();
        var item = new JsonObject
        {
            ["vmid"] = vm.Vmid,
            ["name"] = config["name"] ?? $"VM {vm.Vmid}",
            ["status"] = vm.Run is null ? "stopped" : "running",
            ["cpus"] = long.TryParse(config["cores"], CultureInfo.InvariantCulture, out var cores) ? cores : 1,
            ["maxmem"] = Memory(config) * (1L << 20),
            ["maxdisk"] = disk,
            ["uptime"] = vm.Run is { } run ? Math.Max(0, state.Time.GetUtcNow().ToUnixTimeSeconds() - run.StartedAt) : 0,
            ["cpu"] = 0,
            ["mem"] = 0,
            ["disk"] = 0,
            ["netin"] = 0,
            ["netout"] = 0,
            ["diskread"] = 0,
            ["diskwrite"] = 0,
        };
        if (config.IsTemplate)
        {
            item["template"] = 1;
        }
        if (config["tags"] is { } tags)
        {
            item["tags"] = string.Join(';', PveValidator.SplitList(tags));
        }
        if (vm.Lock is { } held)
        {
            item["lock"] = held;
        }
        if (vm.Run?.Machine?.Pid is { } pid)
        {
            item["pid"] = pid;
        }
        return item;
    }

    private static JsonObject Status(PveState state, PveVm vm)
    {
        var item = ListItem(state, vm);
        item["qmpstatus"] = vm.Run is null ? "stopped" : "running";
        item["agent"] = vm.Config["agent"] is { } agent && PveVmConfig.ParseProperty(agent, "enabled").Keys.FirstOrDefault(k => k.Key == "enabled").Value == "1" ? 1 : 0;
        item["ha"] = new JsonObject { ["managed"] = 0 };
        item["template"] = vm.Config.IsTemplate ? 1 : 0;
        return item;
    }

    private static long Memory(PveVmConfig config)
    {
        var value = config["memory"];
        var current = value is null ? null : PveVmConfig.ParseProperty(value, "current").Keys.FirstOrDefault(k => k.Key == "current").Value;
        return long.TryParse(current, CultureInfo.InvariantCulture, out var mib) ? mib : 512;
    }
}
