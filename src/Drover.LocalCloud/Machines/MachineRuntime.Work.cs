using System.Globalization;

namespace Drover.LocalCloud.Machines;

/// <summary>The work of each server action (disks, rescue systems, snapshots), queued per server.</summary>
internal sealed partial class MachineRuntime
{
    public string DiskPath(long serverId) => Path.Combine(Root, "disks", string.Create(CultureInfo.InvariantCulture, $"server-{serverId}.raw"));

    public string ImagePath(long imageId) => Path.Combine(Root, "images", string.Create(CultureInfo.InvariantCulture, $"image-{imageId}.raw"));

    /// <summary><c>create_server</c>: an empty sparse disk, or a sparse copy of a snapshot's disk when it has one.</summary>
    public Task CreateDisk(long serverId, int diskGb, long? fromImageId) => Enqueue(serverId, ct => Task.Run(() => WriteDisk(serverId, diskGb, fromImageId, ct), ct));

    /// <summary><c>rebuild</c>: stops a rescue system and replaces the disk like <see cref="CreateDisk"/>.</summary>
    public Task Rebuild(long serverId, int diskGb, long? fromImageId) => Enqueue(serverId, async ct =>
    {
        await StopRescueAsync(serverId, ct);
        await Task.Run(() => WriteDisk(serverId, diskGb, fromImageId, ct), ct);
    });

    /// <summary><c>change_type</c> with a bigger disk: grows the disk file.</summary>
    public Task ResizeDisk(long serverId, int diskGb) => Enqueue(serverId, _ =>
    {
        if (File.Exists(DiskPath(serverId)))
        {
            SparseFiles.Grow(DiskPath(serverId), diskGb * GiB);
        }
        return Task.CompletedTask;
    });

    /// <summary><c>poweron</c>/<c>reset</c>/<c>reboot</c>: stops a running rescue system, then starts one when <paramref name="rescue"/> is given.</summary>
    public Task Boot(long serverId, RescueSpec? rescue) => Enqueue(serverId, async ct =>
    {
        await StopRescueAsync(serverId, ct);
        if (rescue is not null)
        {
            await StartRescueAsync(rescue, ct);
        }
    });

    /// <summary><c>poweroff</c>/<c>shutdown</c>: stops the rescue system, if one runs.</summary>
    public Task PowerOff(long serverId) => Enqueue(serverId, ct => StopRescueAsync(serverId, ct));

    /// <summary><c>delete</c>: stops the rescue system and deletes the disk.</summary>
    public Task Delete(long serverId) => Enqueue(serverId, async ct =>
    {
        await StopRescueAsync(serverId, ct);
        if (File.Exists(DiskPath(serverId)))
        {
            File.Delete(DiskPath(serverId));
        }
    });

    /// <summary><c>create_image</c>: copies the disk sparsely to the image store; returns the compressed data size in GB.</summary>
    public Task<double> Snapshot(long serverId, long imageId, int diskGb) => Enqueue(serverId, async ct =>
    {
        var disk = DiskPath(serverId);
        if (!File.Exists(disk))
        {
            SparseFiles.CreateEmpty(disk, diskGb * GiB);
        }
        if (RescueOf(serverId)?.Entry.LoopDevice is { } loop)
        {
            await HostCommand.RunAsync("blockdev", ["--flushbufs", loop], ct);
        }
        var compressed = await Task.Run(() =>
        {
            using var meter = new CompressedSizeMeter();
            SparseFiles.Copy(disk, ImagePath(imageId), diskGb * GiB, meter.Input, ct);
            return meter.Finish();
        }, ct);
        return (double)compressed / GiB;
    });

    /// <summary>Deletes a snapshot's stored disk (after work that may still read it).</summary>
    public void DeleteImage(long imageId)
    {
        var path = ImagePath(imageId);
        // File.Delete throws when the directory is missing (no snapshot was stored yet): check first.
        foreach (var file in new[] { path, path + ".partial" }.Where(File.Exists))
        {
            File.Delete(file);
        }
    }

    /// <summary>Where a server's disk and rescue system are, for the control API.</summary>
    public (string? DiskPath, RescueSystem? Rescue) Describe(long serverId)
        => (File.Exists(DiskPath(serverId)) ? DiskPath(serverId) : null, RescueOf(serverId));

    public string? ImageDisk(long imageId) => File.Exists(ImagePath(imageId)) ? ImagePath(imageId) : null;

    /// <summary>Deletes disks and image disks that no server or image in the state refers to (left by a crash).</summary>
    public void DeleteOrphans(IReadOnlySet<long> serverIds, IReadOnlySet<long> imageIds)
    {
        Orphans("disks", "server-", serverIds);
        Orphans("images", "image-", imageIds);
    }

    private void WriteDisk(long serverId, int diskGb, long? fromImageId, CancellationToken cancellationToken)
    {
        var disk = DiskPath(serverId);
        if (fromImageId is { } image && File.Exists(ImagePath(image)))
        {
            SparseFiles.Copy(ImagePath(image), disk, diskGb * GiB, sink: null, cancellationToken);
        }
        else
        {
            SparseFiles.CreateEmpty(disk, diskGb * GiB);
        }
    }

    private void Orphans(string folder, string prefix, IReadOnlySet<long> keep)
    {
        var dir = Path.Combine(Root, folder);
        if (!Directory.Exists(dir))
        {
            return;
        }
        foreach (var file in Directory.GetFiles(dir))
        {
            var name = Path.GetFileName(file);
            var id = name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(".raw", StringComparison.Ordinal)
                && long.TryParse(name[prefix.Length..^4], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : (long?)null;
            if (id is null || !keep.Contains(id.Value))
            {
                File.Delete(file);
            }
        }
    }
}
