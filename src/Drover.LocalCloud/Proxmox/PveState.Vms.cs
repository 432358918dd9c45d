using System.Globalization;

namespace Drover.LocalCloud.Proxmox;

/// <summary>Creating, configuring, templating and destroying VMs, with qemu-server's rules and messages.</summary>
public sealed partial class PveState
{
    /// <summary>Keys a create or config request may carry that are not configuration (they steer the call).</summary>
    private static readonly HashSet<string> _controlKeys = ["node", "vmid", "start", "delete", "digest", "revert", "skiplock", "force", "background_delay",
        "archive", "storage", "unique", "pool", "bwlimit", "live-restore", "import-working-storage", "ha-managed"];

    /// <summary>POST /nodes/{node}/qemu: checks what PVE checks before forking, then builds the VM in a <c>qmcreate</c> task.</summary>
    public PveTask Create(IDictionary<string, string> parameters, string user)
    {
        var vmid = long.Parse(parameters["vmid"], CultureInfo.InvariantCulture);
        var config = new PveVmConfig();
        var drives = new List<(string Key, string Value)>();
        foreach (var (key, value) in parameters.Where(p => !_controlKeys.Contains(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (PveVmConfig.IsDriveKey(key) && !key.StartsWith("unused", StringComparison.Ordinal))
            {
                CheckDrive(value);
                drives.Add((key, value));
            }
            else
            {
                config[key] = NormaliseValue(key, value);
            }
        }
        config["smbios1"] ??= $"uuid={Guid.NewGuid():D}";
        config["vmgenid"] ??= Guid.NewGuid().ToString("D");
        config["meta"] ??= $"creation-qemu=9.2.0,ctime={Time.GetUtcNow().ToUnixTimeSeconds()}";
        var start = parameters.TryGetValue("start", out var s) && s == "1";
        var vm = Reserve(vmid, "create");
        return Tasks.Start("qmcreate", vmid.ToString(CultureInfo.InvariantCulture), user, async task =>
        {
            try
            {
                vm.Config = config;
                foreach (var (key, value) in drives)
                {
                    config[key] = await AllocateDriveAsync(vmid, key, value, vm, task, CancellationToken.None);
                }
                if (config["boot"] is null && drives.Count > 0)
                {
                    config["boot"] = "order=" + string.Join(';', drives.Select(d => d.Key).Where(k => !IsCloudInit(config[k]!)));
                }
                Complete(vm);
            }
            catch
            {
                Forget(vm);
                throw;
            }
            if (start)
            {
                await StartAsync(vmid, task, CancellationToken.None);
            }
        });
    }

    /// <summary>Checks a drive value before any work: the storage must exist and an <c>import-from</c> source too.</summary>
    private void CheckDrive(string value)
    {
        var (volume, options) = PveVmConfig.ParseProperty(value);
        if (volume is null || volume == "none" || volume.StartsWith('/'))
        {
            return;
        }
        var colon = volume.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            throw PveException.Failed($"unable to parse volume ID '{volume}'");
        }
        if (volume[..colon] != PveStorage.Name)
        {
            throw PveException.Failed($"storage '{volume[..colon]}' does not exist");
        }
        if (options.FirstOrDefault(o => o.Key == "import-from").Value is { } source)
        {
            var path = source.StartsWith('/') ? source : ImportSource(source);
            if (!File.Exists(path))
            {
                throw PveException.Failed($"import-from: volume '{source}' does not exist");
            }
        }
        else if (volume[(colon + 1)..] is not "cloudinit" && !long.TryParse(volume[(colon + 1)..], out _))
        {
            var (_, file, _) = Storage.Resolve(volume);
            if (!File.Exists(file))
            {
                throw PveException.Failed($"volume '{volume}' does not exist");
            }
        }
    }

    /// <summary>What qemu-server stores for a non-drive key: a NIC gets a MAC when it has none and must name an existing bridge.</summary>
    private string NormaliseValue(string key, string value)
    {
        if (!key.StartsWith("net", StringComparison.Ordinal) || !key[3..].All(char.IsAsciiDigit))
        {
            return value;
        }
        var (_, keys) = PveVmConfig.ParseProperty(value);
        var models = new[] { "virtio", "e1000", "e1000e", "rtl8139", "vmxnet3" };
        var model = keys.FirstOrDefault(k => models.Contains(k.Key));
        string name, mac;
        if (model.Key is not null)
        {
            (name, mac) = (model.Key, model.Value);
        }
        else
        {
            name = PveVmConfig.ParseProperty(value).Default ?? keys.FirstOrDefault(k => k.Key == "model").Value ?? "virtio";
            mac = keys.FirstOrDefault(k => k.Key == "macaddr").Value ?? NewMac();
        }
        if (keys.FirstOrDefault(k => k.Key == "bridge").Value is { } bridge && bridge != PveMachines.Bridge)
        {
            throw PveException.Failed($"bridge '{bridge}' does not exist");
        }
        var rest = keys.Where(k => k.Key is not "macaddr" and not "model" && !models.Contains(k.Key)).Select(k => $"{k.Key}={k.Value}");
        return string.Join(',', [$"{name}={mac.ToUpperInvariant()}", .. rest]);
    }

    /// <summary>
    /// POST (async) and PUT (sync) /config: sets keys (drives allocated as on create), deletes the <c>delete</c> list
    /// (a deleted disk becomes <c>unusedN</c>, a deleted cloud-init drive is freed), checks <c>digest</c>.
    /// </summary>
    public async Task UpdateConfigAsync(long vmid, IDictionary<string, string> parameters, PveTask? task, CancellationToken cancellationToken)
    {
        var keys = parameters.Where(p => !_controlKeys.Contains(p.Key)).ToList();
        var delete = parameters.TryGetValue("delete", out var d) ? PveValidator.SplitList(d).ToList() : [];
        if (keys.Count == 0 && delete.Count == 0)
        {
            throw PveException.Failed("no options specified");
        }
        foreach (var key in delete.Where(k => parameters.ContainsKey(k)))
        {
            throw PveException.Parameter(key, $"unable to delete and set '{key}' at the same time");
        }
        var vm = LockVm(vmid, "config", vm =>
        {
            if (parameters.TryGetValue("digest", out var digest) && digest != vm.Config.Digest())
            {
                throw PveException.Failed("detected modified configuration - file changed by other user? Try again.");
            }
        });
        try
        {
            var config = vm.Config.Copy();
            foreach (var key in delete)
            {
                if (config[key] is { } old && PveVmConfig.IsDriveKey(key) && !key.StartsWith("unused", StringComparison.Ordinal))
                {
                    if (IsCloudInit(old) && DriveFile(old) is { } file)
                    {
                        File.Delete(file);
                    }
                    else if (PveVmConfig.ParseProperty(old).Default is { } volume && volume.Contains(':', StringComparison.Ordinal) && !old.Contains("media=cdrom", StringComparison.Ordinal))
                    {
                        config[FreeUnused(config)] = volume;
                    }
                }
                config[key] = null;
            }
            foreach (var (key, value) in keys.OrderBy(k => k.Key, StringComparer.Ordinal))
            {
                if (PveVmConfig.IsDriveKey(key) && !key.StartsWith("unused", StringComparison.Ordinal))
                {
                    CheckDrive(value);
                    config[key] = await AllocateDriveAsync(vmid, key, value, new PveVm(vmid, config), task ?? Tasks.Detached(), cancellationToken);
                }
                else
                {
                    config[key] = NormaliseValue(key, value);
                }
            }
            lock (_gate)
            {
                vm.Config = config;
            }
        }
        finally
        {
            Unlock(vm);
        }
    }

    private static string FreeUnused(PveVmConfig config)
    {
        for (var n = 0; ; n++)
        {
            if (config[$"unused{n}"] is null)
            {
                return $"unused{n}";
            }
        }
    }

    /// <summary>POST /template: renames the VM's disks to <c>base-VMID-disk-N</c> and marks it a template.</summary>
    public PveTask Template(long vmid, string user)
    {
        var vm = LockVm(vmid, "create", vm =>
        {
            if (vm.Config.IsTemplate)
            {
                throw PveException.Failed("you can't convert a template to a template");
            }
            if (vm.Run is not null)
            {
                throw PveException.Failed("you can't convert a VM to template if VM is running");
            }
        });
        return Tasks.Start("qmtemplate", vmid.ToString(CultureInfo.InvariantCulture), user, task =>
        {
            try
            {
                var config = vm.Config.Copy();
                foreach (var key in config.DriveKeys.Where(k => !k.StartsWith("unused", StringComparison.Ordinal)))
                {
                    var value = config[key]!;
                    if (IsCloudInit(value) || value.Contains("media=cdrom", StringComparison.Ordinal) || DriveFile(value) is not { } file)
                    {
                        continue;
                    }
                    var name = Path.GetFileName(file);
                    if (!name.StartsWith("vm-", StringComparison.Ordinal))
                    {
                        continue;
                    }
                    var baseName = "base-" + name[3..];
                    File.Move(file, Path.Combine(Path.GetDirectoryName(file)!, baseName));
                    config[key] = value.Replace($"{vmid}/{name}", $"{vmid}/{baseName}", StringComparison.Ordinal);
                    task.Write($"{key}: renamed '{name}' to '{baseName}'");
                }
                config["template"] = "1";
                lock (_gate)
                {
                    vm.Config = config;
                }
            }
            finally
            {
                Unlock(vm);
            }
            return Task.CompletedTask;
        });
    }

    /// <summary>DELETE /qemu/{vmid}: refuses a running VM and a template whose base disks linked clones use; frees everything.</summary>
    public PveTask Destroy(long vmid, string user)
    {
        var vm = LockVm(vmid, "destroyed", vm =>
        {
            if (vm.Run is not null)
            {
                throw PveException.Failed($"VM {vmid} is running - destroy failed");
            }
            if (vm.Config.IsTemplate && LinkedClonesOf(vmid) is [var clone, ..])
            {
                var volume = vm.Config.DriveKeys.Select(k => PveVmConfig.ParseProperty(vm.Config[k]!).Default).FirstOrDefault(v => v?.Contains("/base-", StringComparison.Ordinal) == true);
                throw PveException.Failed($"base volume '{volume}' is still in use by linked clone VM {clone}");
            }
        });
        return Tasks.Start("qmdestroy", vmid.ToString(CultureInfo.InvariantCulture), user, task =>
        {
            Forget(vm);
            task.Write($"Removed VM {vmid} and its volumes");
            return Task.CompletedTask;
        });
    }

    /// <summary>PUT /resize: grows a disk to <c>size</c> or by <c>+size</c>; shrinking is refused as in PVE.</summary>
    public PveTask Resize(long vmid, string disk, string size, string user)
    {
        var vm = Vm(vmid);
        var drive = vm.Config[disk] ?? throw PveException.Failed($"disk '{disk}' does not exist");
        var file = DriveFile(drive) ?? throw PveException.Failed($"disk '{disk}' has no volume");
        var current = PveVmConfig.SizeBytes(drive) ?? new FileInfo(file).Length;
        var bytes = size.StartsWith('+') ? current + PveVmConfig.ParseSize(size[1..]) : PveVmConfig.ParseSize(size);
        if (bytes < current)
        {
            throw PveException.Failed("shrinking disks is not supported");
        }
        LockVm(vmid, "disk");
        return Tasks.Start("resize", vmid.ToString(CultureInfo.InvariantCulture), user, async task =>
        {
            try
            {
                if (file.EndsWith(".raw", StringComparison.Ordinal))
                {
                    using var stream = new FileStream(file, FileMode.Open, FileAccess.Write);
                    stream.SetLength(bytes);
                }
                else
                {
                    await QemuImgAsync(["resize", file, bytes.ToString(CultureInfo.InvariantCulture)], Storage.Path, CancellationToken.None);
                }
                var (volume, options) = PveVmConfig.ParseProperty(drive);
                var updated = string.Join(',', [volume!, .. options.Where(o => o.Key != "size").Select(o => $"{o.Key}={o.Value}"), $"size={PveVmConfig.FormatSize(bytes)}"]);
                lock (_gate)
                {
                    vm.Config[disk] = updated;
                }
                task.Write($"Image resized to {PveVmConfig.FormatSize(bytes)}");
            }
            finally
            {
                Unlock(vm);
            }
        });
    }
}
