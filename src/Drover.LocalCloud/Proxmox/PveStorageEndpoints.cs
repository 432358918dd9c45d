using System.Text.Json.Nodes;
using static Drover.LocalCloud.Proxmox.PveEndpoints;

namespace Drover.LocalCloud.Proxmox;

/// <summary>The <c>/nodes/{node}/storage</c> methods of the one storage, <c>local</c>.</summary>
internal static class PveStorageEndpoints
{
    public static IEnumerable<PveRoute> Routes(PveState state)
    {
        void Check(PveCall call)
        {
            state.CheckNode(call.Required("node"));
            if (call.Get("storage") is { } storage && storage != PveStorage.Name)
            {
                throw PveException.Failed($"storage '{storage}' does not exist");
            }
        }
        yield return new("GET", "/nodes/{node}/storage", call =>
        {
            Check(call);
            var item = Status(state);
            item["storage"] = PveStorage.Name;
            return Data(call.Get("content") is { } content && !PveStorage.Content.Split(',').Contains(content) ? new JsonArray() : new JsonArray(item));
        });
        yield return new("GET", "/nodes/{node}/storage/{storage}/status", call =>
        {
            Check(call);
            return Data(Status(state));
        });
        yield return new("GET", "/nodes/{node}/storage/{storage}/content", call =>
        {
            Check(call);
            return Data(state.Content(call.Get("content"), call.Get("vmid") is { } v ? long.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : null));
        });
        yield return new("GET", "/nodes/{node}/storage/{storage}/content/{volume}", call =>
        {
            Check(call);
            var volume = call.Required("volume");
            var volid = volume.Contains(':', StringComparison.Ordinal) ? volume : $"{PveStorage.Name}:{volume}";
            var item = state.Content(null, null).OfType<JsonObject>().FirstOrDefault(i => (string?)i["volid"] == volid)
                ?? throw PveException.Failed($"volume '{volid}' does not exist");
            return Data(new JsonObject { ["path"] = state.Storage.Resolve(volid).File, ["size"] = item["size"]!.DeepClone(), ["used"] = item["size"]!.DeepClone(), ["format"] = item["format"]!.DeepClone() });
        });
        yield return new("DELETE", "/nodes/{node}/storage/{storage}/content/{volume}", call =>
        {
            Check(call);
            return PveQemuEndpoints.Upid(state.DeleteContent(call.Required("volume"), call.User));
        });
        yield return new("POST", "/nodes/{node}/storage/{storage}/upload", call =>
        {
            Check(call);
            var upload = call.Upload ?? throw PveException.Failed("upload failed: no file part in the request");
            return PveQemuEndpoints.Upid(state.Upload(call.Required("content"), call.Required("filename"), upload, call.Get("checksum"), call.Get("checksum-algorithm"), call.User));
        });
    }

    private static JsonObject Status(PveState state)
    {
        var drive = new DriveInfo(state.Storage.Path);
        return new JsonObject
        {
            ["type"] = "dir",
            ["content"] = PveStorage.Content,
            ["active"] = 1,
            ["enabled"] = 1,
            ["shared"] = 0,
            ["total"] = drive.TotalSize,
            ["avail"] = drive.AvailableFreeSpace,
            ["used"] = drive.TotalSize - drive.AvailableFreeSpace,
            ["used_fraction"] = drive.TotalSize == 0 ? 0 : (double)(drive.TotalSize - drive.AvailableFreeSpace) / drive.TotalSize,
        };
    }
}
