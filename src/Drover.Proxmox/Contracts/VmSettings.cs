using System.Text.RegularExpressions;

namespace Drover.Proxmox.Contracts;

/// <summary>
/// VM config keys for create (<c>POST /nodes/{node}/qemu</c>) and config updates. Null leaves a key out. Devices
/// (<c>scsi0</c>, <c>ide2</c>, <c>net0</c>, <c>serial0</c>, …) go in <see cref="Devices"/>, anything else the
/// typed properties do not cover in <see cref="Extra"/>.
/// </summary>
public sealed partial record VmSettings
{
    public string? Name { get; init; }

    /// <summary>Memory in MiB.</summary>
    public int? Memory { get; init; }

    public int? Cores { get; init; }
    public int? Sockets { get; init; }

    /// <summary>CPU type, e.g. <c>host</c> or <c>x86-64-v2-AES</c>.</summary>
    public string? Cpu { get; init; }

    /// <summary><c>l26</c>, <c>other</c>, <c>win11</c>, …</summary>
    public string? OsType { get; init; }

    /// <summary>SCSI controller, e.g. <c>virtio-scsi-single</c>.</summary>
    public string? ScsiHw { get; init; }

    /// <summary><c>seabios</c> or <c>ovmf</c>.</summary>
    public string? Bios { get; init; }

    public string? Machine { get; init; }

    /// <summary>Guest agent, e.g. <c>enabled=1</c> or <c>1</c>.</summary>
    public string? Agent { get; init; }

    /// <summary>Boot order, e.g. <c>order=scsi0</c>.</summary>
    public string? Boot { get; init; }

    /// <summary>Display, e.g. <c>serial0</c> for a serial console.</summary>
    public string? Vga { get; init; }

    public string? Description { get; init; }
    public bool? OnBoot { get; init; }
    public bool? Template { get; init; }

    /// <summary>Tags (validated, written <c>;</c>-separated).</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>Indexed devices by key: <c>scsi0 = local-lvm:0,import-from=local:import/x.qcow2</c>, <c>ide2 = local:cloudinit</c>, <c>net0 = virtio,bridge=vmbr0</c>, <c>serial0 = socket</c>.</summary>
    public IReadOnlyDictionary<string, string>? Devices { get; init; }

    public CloudInitOptions? CloudInit { get; init; }

    /// <summary>Any other key, sent as it is.</summary>
    public IReadOnlyDictionary<string, string>? Extra { get; init; }

    internal void AddTo(FormParameters form)
    {
        form.Add("name", Name).Add("memory", Memory).Add("cores", Cores).Add("sockets", Sockets).Add("cpu", Cpu)
            .Add("ostype", OsType).Add("scsihw", ScsiHw).Add("bios", Bios).Add("machine", Machine).Add("agent", Agent)
            .Add("boot", Boot).Add("vga", Vga).Add("description", Description).Add("onboot", OnBoot).Add("template", Template)
            .Add("tags", Tags is null ? null : ProxmoxTags.Format(Tags));
        foreach (var (key, value) in (Devices ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!DeviceKey().IsMatch(key))
            {
                throw new ArgumentException($"'{key}' is not a device key like scsi0, ide2, net0 or serial0");
            }
            form.Add(key, value);
        }
        CloudInit?.AddTo(form);
        form.AddAll(Extra?.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [GeneratedRegex("^[a-z]+[0-9]+$")]
    private static partial Regex DeviceKey();
}
