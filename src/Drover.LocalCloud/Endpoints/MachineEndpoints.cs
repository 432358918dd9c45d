using Drover.LocalCloud.Http;
using Drover.LocalCloud.Machines;
using Drover.LocalCloud.Metadata;
using Drover.LocalCloud.State;

namespace Drover.LocalCloud.Endpoints;

/// <summary>
/// Control API for the machine side (<c>/__localcloud</c>): where a server's disk, rescue system and QEMU are, its
/// serial console and its metadata service on 127.0.0.1, where a snapshot's disk is (its bytes, with HTTP ranges, and
/// seeding it), and registering host files for rescue systems to download.
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
            var (disk, rescue, qemu) = runtime?.Describe(id) ?? (null, null, null);
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
                Qemu = Describe(qemu),
                LastQemu = Describe(runtime?.LastQemuOf(id)),
            }, json.ControlServerMachine);

            ControlQemu? Describe(QemuMachine? machine) => machine is null ? null : new ControlQemu
            {
                Pid = machine.Entry.Pid,
                Namespace = machine.Entry.Namespace,
                HostVeth = machine.Entry.HostVeth,
                Address = state.Run(() => state.GetServer(id).PublicNet.Ipv4?.Ip),
                ConsoleDirectory = runtime!.ConsoleDirectory(id),
                Architecture = machine.Platform.Architecture.Value,
                Firmware = machine.Platform.Firmware.ToString().ToLowerInvariant(),
                FirmwareVars = machine.FirmwareVars,
            };
        });
        control.MapGet("/servers/{id:long}/console", (long id, bool? markers) =>
        {
            // The serial output of the server's last QEMU boot: ttyS0 (ttyAMA0 on arm), or with ?markers=true markers.log
            // (ttyS1; on arm the virtio port org.drover.markers).
            state.Run(() => state.GetServer(id));
            var file = runtime is null ? null : Path.Combine(runtime.ConsoleDirectory(id), markers == true ? "markers.log" : "console.log");
            return Results.Text(file is not null && File.Exists(file) ? ReadShared(file) : "", "text/plain; charset=utf-8");
        });
        control.MapGet("/servers/{id:long}/metadata-endpoint", (long id) =>
        {
            // The server's metadata service as seen from the host: what 169.254.169.254 is to the server itself.
            state.Run(() => state.GetServer(id));
            var port = machines.Metadata.PortFor(id, "127.0.0.1", freeBind: false);
            var url = $"http://127.0.0.1:{port}{MetadataDocuments.Prefix}";
            return Wire.Json(new ControlMetadataEndpoint { Url = url, MetadataUrl = url + "metadata", UserdataUrl = url + "userdata" }, json.ControlMetadataEndpoint);
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
        control.MapPost("/images/{id:long}/disk", async (long id, HttpContext ctx) =>
        {
            // Seeds a snapshot's disk with the request body (e.g. a bootable test disk), sparse, padded to its disk size.
            var image = state.Run(() => state.GetImage(id));
            if (image.Type.Value is not ("snapshot" or "backup"))
            {
                throw ApiException.InvalidInput("id", $"image {id} is a {image.Type} image; only snapshots and backups have disks");
            }
            if (runtime is null)
            {
                throw new ApiException(422, "machines_off", "this local cloud has no machines, so images have no disks");
            }
            await runtime.StoreImageDiskAsync(id, ctx.Request.Body, (int)Math.Ceiling(image.DiskSize), ctx.RequestAborted);
            return Wire.Json(new ControlImageMachine { ImageId = id, DiskPath = runtime.ImageDisk(id) }, json.ControlImageMachine, 201);
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

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static IResult Disk(string? path, string what)
        => path is null
            ? throw ApiException.NotFound($"{what} disk")
            : Results.File(path, "application/octet-stream", enableRangeProcessing: true);
}
