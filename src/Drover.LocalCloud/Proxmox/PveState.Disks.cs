using System.Globalization;
using System.Text.Json;
using Drover.Core.Processes;

namespace Drover.LocalCloud.Proxmox;

/// <summary>Disk volumes: allocation, import, cloud-init volumes, copies and linked-clone overlays (qemu-img).</summary>
public sealed partial class PveState
{
    private const long GiB = 1L << 30;

    /// <summary>
    /// Turns a drive value of a create or config request into the stored one, doing the work: <c>local:cloudinit</c>
    /// allocates <c>vm-VMID-cloudinit.qcow2</c>; <c>local:N</c> a new N GiB raw disk; <c>local:0,import-from=VOLID|PATH</c>
    /// a raw copy of the source; existing volumes, <c>none</c> and ISO cdroms stay as they are.
    /// </summary>
    internal async Task<string> AllocateDriveAsync(long vmid, string key, string value, PveVm vm, PveTask task, CancellationToken cancellationToken)
    {
        var (volume, options) = PveVmConfig.ParseProperty(value);
        if (volume is null || volume == "none" || !volume.Contains(':', StringComparison.Ordinal) && volume.StartsWith('/'))
        {
            return value;
        }
        var colon = volume.IndexOf(':', StringComparison.Ordinal);
        var (storage, name) = (volume[..colon], volume[(colon + 1)..]);
        if (storage != PveStorage.Name)
        {
            throw PveException.Failed($"storage '{storage}' does not exist");
        }
        var rest = options.Where(o => o.Key is not "import-from" and not "size").Select(o => $"{o.Key}={o.Value}").ToList();
        if (name == "cloudinit")
        {
            if (vm.Config.DriveKeys.FirstOrDefault(k => k != key && IsCloudInit(vm.Config[k]!)) is { } other)
            {
                throw PveException.Failed($"{key}: cloud-init drive is already attached at '{other}'");
            }
            var file = $"vm-{vmid}-cloudinit.qcow2";
            await QemuImgAsync(["create", "-f", "qcow2", Storage.ImageFile(vmid, file), "4M"], Directory.CreateDirectory(Path.GetDirectoryName(Storage.ImageFile(vmid, file))!).FullName, cancellationToken);
            task.Write($"{key}: successfully created disk '{PveStorage.Name}:{vmid}/{file},media=cdrom'");
            return string.Join(',', [$"{PveStorage.Name}:{vmid}/{file}", "media=cdrom", .. rest.Where(r => !r.StartsWith("media=", StringComparison.Ordinal))]);
        }
        if (!long.TryParse(name, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var gib))
        {
            Storage.Resolve(volume); // an existing volume must at least be one of this storage
            return value;
        }
        var target = Storage.ImageFile(vmid, NextDiskName(vmid, "raw"));
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        long size;
        if (options.FirstOrDefault(o => o.Key == "import-from").Value is { } source)
        {
            var path = source.StartsWith('/') ? source : ImportSource(source);
            if (!File.Exists(path))
            {
                throw PveException.Failed($"import-from: volume '{source}' does not exist");
            }
            task.Write($"importing disk '{source}' to VM {vmid} ...");
            await QemuImgAsync(["convert", "-p", "-O", "raw", path, target], Storage.Path, cancellationToken);
            size = new FileInfo(target).Length;
            task.Write($"Successfully imported disk as '{key}:{PveStorage.Name}:{vmid}/{Path.GetFileName(target)}'");
        }
        else
        {
            size = gib * GiB;
            Drover.LocalCloud.Machines.SparseFiles.CreateEmpty(target, size);
            task.Write($"{key}: successfully created disk '{PveStorage.Name}:{vmid}/{Path.GetFileName(target)},size={PveVmConfig.FormatSize(size)}'");
        }
        return string.Join(',', [$"{PveStorage.Name}:{vmid}/{Path.GetFileName(target)}", .. rest, $"size={PveVmConfig.FormatSize(size)}"]);
    }

    /// <summary>A cloud-init drive's value: its volume is <c>vm-VMID-cloudinit</c>.</summary>
    public static bool IsCloudInit(string drive)
        => PveVmConfig.ParseProperty(drive).Default is { } volume && volume.Contains("-cloudinit", StringComparison.Ordinal);

    /// <summary>The file of an <c>import-from</c> volume: images and import content of this storage.</summary>
    private string ImportSource(string volid)
    {
        var (content, file, _) = Storage.Resolve(volid);
        return content is "import" or "images" ? file : throw PveException.Failed($"import-from: '{volid}' has content type '{content}', not 'import' or 'images'");
    }

    /// <summary><c>vm-VMID-disk-N.FORMAT</c> with the lowest N free in the VM's images directory.</summary>
    internal string NextDiskName(long vmid, string format, string prefix = "vm")
    {
        var directory = Path.GetDirectoryName(Storage.ImageFile(vmid, "x"))!;
        for (var n = 0; ; n++)
        {
            var taken = Directory.Exists(directory) && Directory.EnumerateFiles(directory, $"*-{vmid}-disk-{n}.*").Any();
            if (!taken)
            {
                return $"{prefix}-{vmid}-disk-{n}.{format}";
            }
        }
    }

    /// <summary>The file of a drive's volume (for QEMU, resize, copies), or null for <c>none</c> and paths.</summary>
    public string? DriveFile(string drive)
    {
        var volume = PveVmConfig.ParseProperty(drive).Default;
        return volume is null || volume == "none" || !volume.Contains(':', StringComparison.Ordinal) ? null : Storage.Resolve(volume).File;
    }

    /// <summary>The virtual size of an image (qemu-img info), for qcow2 overlays whose file is small.</summary>
    internal static async Task<long> VirtualSizeAsync(string file, CancellationToken cancellationToken)
    {
        var json = await QemuImgAsync(["info", "--output=json", "-U", file], Path.GetDirectoryName(file)!, cancellationToken);
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("virtual-size").GetInt64();
    }

    internal static async Task<string> QemuImgAsync(IReadOnlyList<string> arguments, string workingDirectory, CancellationToken cancellationToken)
    {
        var qemuImg = ProcessRunner.Find("qemu-img") ?? throw PveException.Failed("qemu-img not found (install qemu-utils; bash scripts/setup does)");
        var result = await ProcessRunner.RunAsync(qemuImg, arguments, new ProcessOptions { WorkingDirectory = workingDirectory, Timeout = TimeSpan.FromMinutes(30) }, cancellationToken);
        return result.ExitCode == 0 ? result.Stdout
            : throw PveException.Failed($"qemu-img {arguments[0]} failed: {(result.Stderr.Trim().Length > 0 ? result.Stderr : result.Stdout).Trim()}");
    }
}
