using System.Globalization;

namespace Drover.LocalCloud.Machines;

/// <summary>The work of each server action (disks, rescue systems, snapshots), queued per server.</summary>
internal sealed partial class MachineRuntime
{
    public string DiskPath(long serverId) => Path.Combine(Root, "disks", string.Create(CultureInfo.InvariantCulture, $"server-{serverId}.raw"));

    public string ImagePath(long imageId) => Path.Combine(Root, "images", string.Create(CultureInfo.InvariantCulture, $"image-{imageId}.raw"));

    /// <summary><c>create_server</c>: an empty sparse disk, or a sparse copy of a snapshot's disk when it has one.</summary>
    public Task CreateDisk(long serverId, int diskGb, long? fromImageId) => Enqueue(serverId, ct => Task.Run(() => WriteDisk(serverId, diskGb, fromImageId, ct), ct));

    /// <summary>
    /// <c>rebuild</c>: stops a rescue system or QEMU and replaces the disk like <see cref="CreateDisk"/>; the UEFI variable
    /// store goes too (the next boot starts from the firmware's empty one), so no boot entry names the old disk's partitions.
    /// </summary>
    public Task Rebuild(long serverId, int diskGb, long? fromImageId) => Enqueue(serverId, async ct =>
    {
        await StopQemuAsync(serverId, null, ct);
        await StopRescueAsync(serverId, ct);
        DeleteFirmwareVars(serverId);
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

    /// <summary>
    /// <c>poweron</c>/<c>reset</c>/<c>reboot</c>: with <paramref name="rescue"/>, stops whatever runs and starts a fresh
    /// rescue system. Without, stops a rescue system; a running QEMU is left alone by a power-on and reset (QMP
    /// <c>system_reset</c>) by the others; otherwise a disk that holds data boots under QEMU (an empty disk stays API-only).
    /// </summary>
    public Task Boot(long serverId, RescueSpec? rescue, BootSpec boot, BootKind kind) => Enqueue(serverId, async ct =>
    {
        if (rescue is not null)
        {
            await StopQemuAsync(serverId, null, ct);
            await StopRescueAsync(serverId, ct);
            await StartRescueAsync(rescue, ct);
            return;
        }
        await StopRescueAsync(serverId, ct);
        if (QemuOf(serverId) is { } running && !running.Exited.IsCompleted)
        {
            if (kind != BootKind.PowerOn)
            {
                await running.ResetAsync(ct);
            }
            return;
        }
        if (BootsDisabled is null && HasBootableDisk(serverId))
        {
            await StartQemuAsync(boot, ct);
        }
    });

    /// <summary>
    /// <c>poweroff</c> (<paramref name="graceful"/> false: QEMU killed by its PID) or <c>shutdown</c> (ACPI power button,
    /// then up to <see cref="ShutdownTimeout"/> before the kill); stops a rescue system either way.
    /// </summary>
    public Task PowerOff(long serverId, bool graceful) => Enqueue(serverId, async ct =>
    {
        await StopQemuAsync(serverId, graceful ? ShutdownTimeout : null, ct);
        await StopRescueAsync(serverId, ct);
    });

    /// <summary>
    /// <c>delete</c>: stops the rescue system or QEMU, deletes the disk, its UEFI variable store and the serial logs,
    /// closes the metadata listeners.
    /// </summary>
    public Task Delete(long serverId) => Enqueue(serverId, async ct =>
    {
        await StopQemuAsync(serverId, null, ct);
        await StopRescueAsync(serverId, ct);
        Metadata?.Forget(serverId);
        lock (_gate)
        {
            _lastQemus.Remove(serverId);
        }
        if (File.Exists(DiskPath(serverId)))
        {
            File.Delete(DiskPath(serverId));
        }
        DeleteFirmwareVars(serverId);
        if (Directory.Exists(ConsoleDirectory(serverId)))
        {
            Directory.Delete(ConsoleDirectory(serverId), recursive: true);
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

    /// <summary>Where a server's disk, rescue system and QEMU are, for the control API.</summary>
    public (string? DiskPath, RescueSystem? Rescue, QemuMachine? Qemu) Describe(long serverId)
        => (File.Exists(DiskPath(serverId)) ? DiskPath(serverId) : null, RescueOf(serverId), QemuOf(serverId));

    /// <summary>
    /// Stores <paramref name="content"/> as the disk of snapshot <paramref name="imageId"/> (control API, to seed bootable
    /// snapshots in tests), sparse, at least <paramref name="diskGb"/> GB long.
    /// </summary>
    public async Task StoreImageDiskAsync(long imageId, Stream content, int diskGb, CancellationToken cancellationToken)
    {
        var path = ImagePath(imageId);
        var temp = path + ".upload";
        SparseFiles.CreateEmpty(temp, 0);
        await using (var file = new FileStream(temp, FileMode.Open, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
        {
            await content.CopyToAsync(file, cancellationToken);
            if (file.Length < diskGb * GiB)
            {
                file.SetLength(diskGb * GiB);
            }
        }
        SparseFiles.Copy(temp, path, diskGb * GiB, sink: null, cancellationToken);
        File.Delete(temp);
    }

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

    /// <summary>The server's UEFI variable stores (whichever firmware it booted), next to its disk.</summary>
    public IEnumerable<string> FirmwareVarsFiles(long serverId) => QemuPlatform.VarsFilesOf(DiskPath(serverId));

    private void DeleteFirmwareVars(long serverId)
    {
        foreach (var file in FirmwareVarsFiles(serverId).Where(File.Exists))
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// Deletes the files of <paramref name="folder"/> whose ID <paramref name="keep"/> does not hold, and every file that is
    /// neither PREFIX-ID.raw nor (disks only) a variable store PREFIX-ID.SUFFIX (unfinished copies, say).
    /// </summary>
    private void Orphans(string folder, string prefix, IReadOnlySet<long> keep)
    {
        var dir = Path.Combine(Root, folder);
        if (!Directory.Exists(dir))
        {
            return;
        }
        string[] suffixes = folder == "disks" ? [".raw", .. QemuPlatform.VarsSuffixes] : [".raw"];
        foreach (var file in Directory.GetFiles(dir))
        {
            var name = Path.GetFileName(file);
            var suffix = suffixes.FirstOrDefault(x => name.EndsWith(x, StringComparison.Ordinal));
            var id = suffix is not null && name.StartsWith(prefix, StringComparison.Ordinal)
                && long.TryParse(name[prefix.Length..^suffix.Length], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : (long?)null;
            if (id is null || !keep.Contains(id.Value))
            {
                File.Delete(file);
            }
        }
    }
}
