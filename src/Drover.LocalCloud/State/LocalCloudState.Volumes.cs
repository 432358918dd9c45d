using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Http;

namespace Drover.LocalCloud.State;

public sealed partial class LocalCloudState
{
    public IReadOnlyList<Volume> Volumes() => [.. _doc.Volumes];

    public Volume GetVolume(long id) => _doc.Volumes.FirstOrDefault(v => v.Id == id) ?? throw ApiException.NotFound("volume");

    public CreateVolumeResult CreateVolume(CreateVolumeRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            throw Invalid("name", "must not be empty");
        }
        if (_doc.Volumes.Any(v => v.Name == request.Name))
        {
            throw ApiException.Uniqueness("name", "volume name is already used");
        }
        if (request.Size is < 10 or > 10240)
        {
            throw Invalid("size", "must be between 10 and 10240 GB");
        }
        if (request.Format is { } format && format is not ("ext4" or "xfs"))
        {
            throw Invalid("format", $"'{format}' is not one of ext4, xfs");
        }
        ValidateLabels(request.Labels);
        ServerRecord? server = null;
        Location location;
        if (request.Server is { } serverId)
        {
            server = FindServer(serverId) ?? throw Invalid("server", $"server {serverId} not found");
            location = server.Server.Location;
        }
        else
        {
            location = Catalog.FindLocation(request.Location ?? "") ?? throw Invalid("location", request.Location is null ? "location or server is required" : $"location '{request.Location}' not found");
        }
        var id = NextId();
        var volume = new Volume
        {
            Id = id,
            Created = Now,
            Name = request.Name,
            Server = null,
            Location = location,
            Size = request.Size,
            LinuxDevice = $"/dev/disk/by-id/scsi-0HC_Volume_{id}",
            Labels = request.Labels ?? new Dictionary<string, string>(),
            Status = "available",
            Format = request.Format,
        };
        _doc.Volumes.Add(volume);
        var create = StartAction("create_volume", [new ActionResource { Id = id, Type = "volume" }]);
        var next = new List<CloudAction>();
        if (server is not null)
        {
            SetVolumeServer(id, server.Server.Id);
            next.Add(View(StartAction("attach_volume", [new ActionResource { Id = id, Type = "volume" }, ServerResource(server.Server.Id)])));
        }
        return new CreateVolumeResult { Volume = GetVolume(id), Action = View(create), NextActions = next };
    }

    public Volume UpdateVolume(long id, UpdateVolumeRequest request)
    {
        var volume = GetVolume(id);
        ValidateLabels(request.Labels);
        if (request.Name is { } name && _doc.Volumes.Any(v => v.Name == name && v.Id != id))
        {
            throw ApiException.Uniqueness("name", "volume name is already used");
        }
        var updated = volume with { Name = request.Name ?? volume.Name, Labels = request.Labels ?? volume.Labels };
        Replace(_doc.Volumes, v => v.Id == id, updated);
        return updated;
    }

    public void DeleteVolume(long id)
    {
        var volume = GetVolume(id);
        if (volume.Protection.Delete)
        {
            throw ApiException.Protected("volume");
        }
        if (volume.Server is not null)
        {
            throw new ApiException(422, "volume_attached", $"volume is attached to server {volume.Server}; detach it first");
        }
        _doc.Volumes.Remove(volume);
        Touch();
    }

    public CloudAction AttachVolume(long id, AttachVolumeRequest request)
    {
        var volume = GetVolume(id);
        var server = FindServer(request.Server) ?? throw Invalid("server", $"server {request.Server} not found");
        if (volume.Server is not null)
        {
            throw new ApiException(422, "volume_already_attached", $"volume is already attached to server {volume.Server}");
        }
        if (server.Server.Location.Id != volume.Location.Id)
        {
            throw Invalid("server", $"server {server.Server.Id} is in {server.Server.Location.Name}, the volume in {volume.Location.Name}");
        }
        SetVolumeServer(id, server.Server.Id);
        return View(StartAction("attach_volume", [new ActionResource { Id = id, Type = "volume" }, ServerResource(server.Server.Id)]));
    }

    public CloudAction DetachVolume(long id)
    {
        var volume = GetVolume(id);
        if (volume.Server is not { } serverId)
        {
            throw new ApiException(422, "volume_not_attached", "volume is not attached");
        }
        SetVolumeServer(id, null);
        return View(StartAction("detach_volume", [new ActionResource { Id = id, Type = "volume" }, ServerResource(serverId)]));
    }

    private void SetVolumeServer(long volumeId, long? serverId)
    {
        var volume = GetVolume(volumeId);
        Replace(_doc.Volumes, v => v.Id == volumeId, volume with { Server = serverId });
    }
}
