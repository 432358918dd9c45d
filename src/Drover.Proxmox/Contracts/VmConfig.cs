using System.Globalization;
using System.Text.Json;

namespace Drover.Proxmox.Contracts;

/// <summary>
/// <c>GET /nodes/{node}/qemu/{vmid}/config</c>: every key as text in <see cref="Raw"/> (numbers and booleans as
/// Proxmox wrote them), and typed views of the keys Drover uses.
/// </summary>
public sealed record VmConfig
{
    public VmConfig(IReadOnlyDictionary<string, string> raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        Raw = raw;
    }

    /// <summary>All keys, e.g. <c>scsi0 = local-lvm:vm-100-disk-0,size=8G</c>.</summary>
    public IReadOnlyDictionary<string, string> Raw { get; }

    public string? Name => Get("name");

    /// <summary>SHA-1 of the config file, for <see cref="UpdateVmConfigRequest.Digest"/>.</summary>
    public string? Digest => Get("digest");

    /// <summary>Memory as written (MiB, or a property string on newer Proxmox).</summary>
    public string? Memory => Get("memory");

    public int? Cores => Get("cores") is { } c && int.TryParse(c, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    public bool Template => Get("template") is "1";

    public IReadOnlyList<string> Tags => ProxmoxTags.Parse(Get("tags"));

    public string? Description => Get("description");
    public string? Agent => Get("agent");
    public string? Boot => Get("boot");
    public string? CiUser => Get("ciuser");
    public CloudInitType? CiType => Get("citype") is { } t ? new CloudInitType(t) : null;
    public CloudInitCustom? CiCustom => Get("cicustom") is { } c ? CloudInitCustom.Parse(c) : null;

    /// <summary>The SSH keys, decoded (the API returns them still percent-encoded).</summary>
    public IReadOnlyList<string> SshKeys => ProxmoxSshKeys.Decode(Get("sshkeys"));

    public string? Nameserver => Get("nameserver");
    public string? SearchDomain => Get("searchdomain");

    /// <summary><c>ipconfigN</c> by N.</summary>
    public IReadOnlyDictionary<int, IpConfig> IpConfigs
        => Raw.Where(p => p.Key.StartsWith("ipconfig", StringComparison.Ordinal)
                          && int.TryParse(p.Key.AsSpan(8), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .ToDictionary(p => int.Parse(p.Key.AsSpan(8), NumberStyles.None, CultureInfo.InvariantCulture), p => IpConfig.Parse(p.Value));

    /// <summary>The key of the cloud-init drive (<c>ide2 = local:vm-100-cloudinit</c>), if there is one.</summary>
    public string? CloudInitDrive
        => Raw.Where(p => (p.Key.StartsWith("ide", StringComparison.Ordinal) || p.Key.StartsWith("sata", StringComparison.Ordinal)
                           || p.Key.StartsWith("scsi", StringComparison.Ordinal) || p.Key.StartsWith("virtio", StringComparison.Ordinal))
                          && p.Value.Split(',')[0].Contains("cloudinit", StringComparison.Ordinal))
            .Select(p => p.Key).Order(StringComparer.Ordinal).FirstOrDefault();

    public string? Get(string key) => Raw.TryGetValue(key, out var value) ? value : null;

    internal static VmConfig FromJson(IReadOnlyDictionary<string, JsonElement> data)
        => new(data.ToDictionary(p => p.Key, p => p.Value.ValueKind switch
        {
            JsonValueKind.String => p.Value.GetString()!,
            JsonValueKind.True => "1",
            JsonValueKind.False => "0",
            _ => p.Value.GetRawText(),
        }, StringComparer.Ordinal));

    public override string ToString() => $"VmConfig {{ Name = {Name}, Keys = {Raw.Count} }}";
}
