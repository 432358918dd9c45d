using System.Globalization;

namespace Drover.LocalCloud.Proxmox;

/// <summary>Cloning: linked clones of templates (qcow2 overlays on the base disks) and full copies.</summary>
public sealed partial class PveState
{
    private static readonly string[] _linkedCloneRefuses = ["storage", "format"];

    /// <summary>
    /// POST /clone: <c>full</c> defaults to "the source is not a template"; linked clones refuse <c>storage</c> and
    /// <c>format</c>, and need a template; a used <c>newid</c> fails with PVE's message; a clone that fails half-way
    /// is removed with everything it created.
    /// </summary>
    public PveTask Clone(long vmid, IDictionary<string, string> parameters, string user)
    {
        var source = Vm(vmid);
        var newid = long.Parse(parameters["newid"], CultureInfo.InvariantCulture);
        var full = parameters.TryGetValue("full", out var f) ? f == "1" : !source.Config.IsTemplate;
        if (!full)
        {
            foreach (var name in _linkedCloneRefuses.Where(parameters.ContainsKey))
            {
                throw PveException.Failed($"parameter '{name}' not allowed for linked clones");
            }
        }
        if (parameters.TryGetValue("storage", out var storage) && storage != PveStorage.Name)
        {
            throw PveException.Failed($"storage '{storage}' does not exist");
        }
        if (parameters.TryGetValue("target", out var target) && target != Node)
        {
            throw PveException.Failed($"Target node '{target}' does not exist");
        }
        var format = parameters.TryGetValue("format", out var fmt) ? fmt : "raw";
        var sourceConfig = source.Config.Copy();
        var disks = sourceConfig.DriveKeys.Where(k => !k.StartsWith("unused", StringComparison.Ordinal)).ToList();
        if (!full)
        {
            foreach (var key in disks.Where(k => !IsCloudInit(sourceConfig[k]!) && !sourceConfig[k]!.Contains("media=cdrom", StringComparison.Ordinal)))
            {
                if (!sourceConfig.IsTemplate)
                {
                    throw PveException.Failed($"Linked clone feature is not supported for drive '{key}'");
                }
            }
        }
        var clone = Reserve(newid, "clone");
        return Tasks.Start("qmclone", vmid.ToString(CultureInfo.InvariantCulture), user, async task =>
        {
            try
            {
                var config = CloneConfig(sourceConfig, parameters);
                clone.Config = config;
                task.Write($"create {(full ? "full" : "linked")} clone of drive(s) {string.Join(", ", disks)}");
                foreach (var key in disks)
                {
                    config[key] = await CloneDriveAsync(vmid, newid, key, sourceConfig[key]!, full, format, task);
                }
                Complete(clone);
            }
            catch
            {
                Forget(clone);
                throw;
            }
        });
    }

    private PveVmConfig CloneConfig(PveVmConfig source, IDictionary<string, string> parameters)
    {
        var config = source.Copy();
        config["template"] = null;
        config["lock"] = null;
        config["name"] = parameters.TryGetValue("name", out var name) ? name : source["name"] is { } old ? $"Copy-of-VM-{old}" : null;
        if (parameters.TryGetValue("description", out var description))
        {
            config["description"] = description;
        }
        config["vmgenid"] = Guid.NewGuid().ToString("D");
        if (config["smbios1"] is not null)
        {
            config["smbios1"] = $"uuid={Guid.NewGuid():D}";
        }
        foreach (var key in config.Values.Keys.Where(k => k.StartsWith("net", StringComparison.Ordinal) && k[3..].All(char.IsAsciiDigit)).ToList())
        {
            var mac = PveCloudInit.MacOf(config[key]!);
            config[key] = mac is null ? config[key] : config[key]!.Replace(mac, NewMac(), StringComparison.OrdinalIgnoreCase);
        }
        foreach (var key in config.Values.Keys.Where(k => k.StartsWith("unused", StringComparison.Ordinal)).ToList())
        {
            config[key] = null;
        }
        return config;
    }

    private async Task<string> CloneDriveAsync(long vmid, long newid, string key, string value, bool full, string format, PveTask task)
    {
        var (volume, options) = PveVmConfig.ParseProperty(value);
        var rest = options.Select(o => $"{o.Key}={o.Value}").ToList();
        if (IsCloudInit(value))
        {
            var file = $"vm-{newid}-cloudinit.qcow2";
            var path = Storage.ImageFile(newid, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await QemuImgAsync(["create", "-f", "qcow2", path, "4M"], Storage.Path, CancellationToken.None);
            return string.Join(',', [$"{PveStorage.Name}:{newid}/{file}", .. rest]);
        }
        if (value.Contains("media=cdrom", StringComparison.Ordinal) || DriveFile(value) is not { } source)
        {
            return value;
        }
        var directory = Path.GetDirectoryName(Storage.ImageFile(newid, "x"))!;
        Directory.CreateDirectory(directory);
        if (!full)
        {
            var name = NextDiskName(newid, "qcow2");
            var relativeBase = Path.Combine("..", vmid.ToString(CultureInfo.InvariantCulture), Path.GetFileName(source));
            var backingFormat = source.EndsWith(".qcow2", StringComparison.Ordinal) ? "qcow2" : "raw";
            await QemuImgAsync(["create", "-f", "qcow2", "-b", relativeBase, "-F", backingFormat, name], directory, CancellationToken.None);
            task.Write($"{key}: linked clone of '{volume}'");
            var baseVolume = volume!.Split('/') is [var owner, var baseFile, ..] && baseFile.StartsWith("base-", StringComparison.Ordinal) ? $"{owner}/{baseFile}" : volume;
            return string.Join(',', [$"{baseVolume}/{newid}/{name}", .. rest]);
        }
        var copy = Path.Combine(directory, NextDiskName(newid, format));
        await QemuImgAsync(["convert", "-p", "-O", format, source, copy], directory, CancellationToken.None);
        task.Write($"{key}: full clone of '{volume}' to '{PveStorage.Name}:{newid}/{Path.GetFileName(copy)}'");
        return string.Join(',', [$"{PveStorage.Name}:{newid}/{Path.GetFileName(copy)}", .. rest]);
    }
}
