namespace Drover.Proxmox.Contracts;

/// <summary>
/// The <c>cicustom</c> value: snippet volumes that replace generated files, e.g. <c>user=local:snippets/web1.yaml</c>.
/// Every volume must live on a storage with content type <c>snippets</c>.
/// </summary>
public sealed record CloudInitCustom
{
    public string? User { get; init; }
    public string? Network { get; init; }
    public string? Meta { get; init; }
    public string? Vendor { get; init; }

    /// <summary><c>user=…[,network=…][,meta=…][,vendor=…]</c>.</summary>
    public string Format()
    {
        var parts = new List<string>();
        foreach (var (key, volume) in new[] { ("user", User), ("network", Network), ("meta", Meta), ("vendor", Vendor) })
        {
            if (volume is null)
            {
                continue;
            }
            if (!volume.Contains(':', StringComparison.Ordinal) || volume.Contains(',', StringComparison.Ordinal) || volume.Any(char.IsWhiteSpace))
            {
                throw new ArgumentException($"cicustom {key} volume '{volume}' is not a volume id like local:snippets/user-data.yaml");
            }
            parts.Add($"{key}={volume}");
        }
        return parts.Count > 0 ? string.Join(',', parts) : throw new ArgumentException("cicustom needs at least one of user, network, meta, vendor");
    }

    /// <summary>Reads a wire value; unknown keys are ignored.</summary>
    public static CloudInitCustom Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var custom = new CloudInitCustom();
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                continue;
            }
            var val = part[(eq + 1)..];
            custom = part[..eq] switch
            {
                "user" => custom with { User = val },
                "network" => custom with { Network = val },
                "meta" => custom with { Meta = val },
                "vendor" => custom with { Vendor = val },
                _ => custom,
            };
        }
        return custom;
    }

    public override string ToString() => Format();
}
