using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Drover.LocalCloud.Proxmox;

/// <summary>
/// A VM's configuration as qemu-server keeps it: <c>key: value</c> lines sorted by key (the description as leading
/// <c>#</c> comment lines), stored as <c>qemu-server/VMID.conf</c>; its <c>digest</c> is the SHA-1 of that text.
/// </summary>
public sealed class PveVmConfig
{
    private readonly SortedDictionary<string, string> _values = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Values => _values;

    public string? this[string key]
    {
        get => _values.TryGetValue(key, out var value) ? value : null;
        set
        {
            if (value is null)
            {
                _values.Remove(key);
            }
            else
            {
                _values[key] = value;
            }
        }
    }

    public bool IsTemplate => this["template"] == "1";

    /// <summary>The keys of disks and drives (ideN, sataN, scsiN, virtioN, efidisk0, tpmstate0, unusedN).</summary>
    public IEnumerable<string> DriveKeys => _values.Keys.Where(IsDriveKey).ToList();

    public static bool IsDriveKey(string key)
        => key.StartsWith("ide", StringComparison.Ordinal) || key.StartsWith("sata", StringComparison.Ordinal)
        || key.StartsWith("scsi", StringComparison.Ordinal) && key != "scsihw" || key.StartsWith("virtio", StringComparison.Ordinal) && key != "virtiofs"
        || key.StartsWith("unused", StringComparison.Ordinal) || key is "efidisk0" or "tpmstate0";

    public string Text()
    {
        var text = new StringBuilder();
        if (this["description"] is { } description)
        {
            foreach (var line in description.Split('\n'))
            {
                text.Append('#').Append(line).Append('\n');
            }
        }
        foreach (var (key, value) in _values.Where(kv => kv.Key != "description"))
        {
            text.Append(key).Append(": ").Append(value).Append('\n');
        }
        return text.ToString();
    }

    public string Digest()
    {
#pragma warning disable CA5350 // qemu-server's config digest is SHA-1 of the file; it detects concurrent edits, nothing more
        return Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(Text())));
#pragma warning restore CA5350
    }

    public static PveVmConfig Parse(string text)
    {
        var config = new PveVmConfig();
        var description = new List<string>();
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('['))
            {
                break; // snapshots and pending sections: not kept by this emulator
            }
            if (line.StartsWith('#'))
            {
                description.Add(line[1..]);
                continue;
            }
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon > 0)
            {
                config[line[..colon]] = line[(colon + 2)..];
            }
        }
        if (description.Count > 0)
        {
            config["description"] = string.Join('\n', description);
        }
        return config;
    }

    public PveVmConfig Copy()
    {
        var copy = new PveVmConfig();
        foreach (var (key, value) in _values)
        {
            copy[key] = value;
        }
        return copy;
    }

    /// <summary>Splits a property string (<c>virtio,bridge=vmbr0,macaddr=…</c>) into its default value (if any) and keys.</summary>
    public static (string? Default, List<KeyValuePair<string, string>> Keys) ParseProperty(string value, string? defaultKey = null)
    {
        string? first = null;
        var keys = new List<KeyValuePair<string, string>>();
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                first ??= part;
            }
            else
            {
                keys.Add(new(part[..eq], part[(eq + 1)..]));
            }
        }
        if (defaultKey is not null && first is not null)
        {
            keys.Insert(0, new(defaultKey, first));
        }
        return (first, keys);
    }

    public static string? PropertyValue(string value, string key)
        => ParseProperty(value).Keys.Where(k => k.Key == key).Select(k => k.Value).FirstOrDefault();

    /// <summary>The size of a drive's <c>size=</c> in bytes (e.g. <c>2G</c>, <c>4M</c>), null when absent.</summary>
    public static long? SizeBytes(string drive)
        => PropertyValue(drive, "size") is { } size ? ParseSize(size) : null;

    public static long ParseSize(string size)
    {
        var unit = size[^1];
        var (number, factor) = char.IsDigit(unit) ? (size, 1L) : (size[..^1], unit switch
        {
            'K' => 1L << 10,
            'M' => 1L << 20,
            'G' => 1L << 30,
            'T' => 1L << 40,
            _ => throw new FormatException($"unknown size unit in '{size}'"),
        });
        return (long)(double.Parse(number, CultureInfo.InvariantCulture) * factor);
    }

    /// <summary>A size as PVE writes it in a drive string: the largest unit that divides it (<c>2G</c>, <c>4M</c>).</summary>
    public static string FormatSize(long bytes)
    {
        foreach (var (suffix, factor) in new[] { ("T", 1L << 40), ("G", 1L << 30), ("M", 1L << 20), ("K", 1L << 10) })
        {
            if (bytes >= factor && bytes % factor == 0)
            {
                return (bytes / factor).ToString(CultureInfo.InvariantCulture) + suffix;
            }
        }
        return bytes.ToString(CultureInfo.InvariantCulture);
    }
}
