using Drover.LocalCloud.Http;
using Drover.LocalCloud.Machines;
using Drover.LocalCloud.State;

namespace Drover.LocalCloud.Endpoints;

/// <summary>
/// Control API for the machine side (<c>/__localcloud</c>): where a server's disk and rescue system are, where a
/// snapshot's disk is (and its bytes, with HTTP ranges), and registering host files for rescue systems to download.
/// </summary>
internal static class MachineEndpoints
{
    public static void Map(IEndpointRouteBuilder app, LocalCloudState state, MachineLifetime machines)
    {
        var control = app.MapGroup("/__localcloud");
        var json = LocalCloudJsonContext.Default;
        var runtime = machines.Runtime;
        control.MapGet("/servers/{id:long}", (long id) =>
        {
            state.Run(() => state.GetServer(id));
            var (disk, rescue) = runtime?.Describe(id) ?? (null, null);
            return Wire.Json(new ControlServerMachine
            {
                ServerId = id,
                DiskPath = disk,
                Rescue = new ControlRescue
                {
                    Running = rescue is not null,
                    Pid = rescue?.Entry.Pid,
                    Namespace = rescue?.Entry.Namespace,
                    HostVeth = rescue?.Entry.HostVeth,
                    LoopDevice = rescue?.Entry.LoopDevice,
                    Address = rescue?.Address,
                },
            }, json.ControlServerMachine);
        });
        control.MapGet("/servers/{id:long}/user-data", (long id) =>
        {
            // What the metadata service will hand the server at boot, byte for byte.
            var userData = state.Run(() =>
            {
                state.GetServer(id);
                return state.UserDataOf(id);
            });
            return Results.Text(userData ?? "", "text/plain; charset=utf-8");
        });
        control.MapGet("/servers/{id:long}/disk", (long id) =>
        {
            state.Run(() => state.GetServer(id));
            return Disk(runtime?.Describe(id).DiskPath, "server");
        });
        control.MapGet("/images/{id:long}", (long id) =>
        {
            state.Run(() => state.GetImage(id));
            return Wire.Json(new ControlImageMachine { ImageId = id, DiskPath = runtime?.ImageDisk(id) }, json.ControlImageMachine);
        });
        control.MapGet("/images/{id:long}/disk", (long id) =>
        {
            state.Run(() => state.GetImage(id));
            return Disk(runtime?.ImageDisk(id), "image");
        });
        control.MapPost("/files", async (HttpContext ctx) =>
        {
            var body = await Wire.ReadAsync(ctx, json.RegisterFileRequest);
            if (string.IsNullOrEmpty(body.Path))
            {
                throw ApiException.InvalidInput("path", "is required");
            }
            try
            {
                return Wire.Json(new RegisteredFile { Url = machines.Files.Register(body.Path).ToString() }, json.RegisteredFile);
            }
            catch (FileNotFoundException e)
            {
                throw ApiException.InvalidInput("path", e.Message);
            }
        });
    }

    private static IResult Disk(string? path, string what)
        => path is null
            ? throw ApiException.NotFound($"{what} disk")
            : Results.File(path, "application/octet-stream", enableRangeProcessing: true);
}
