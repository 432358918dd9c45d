using System.Text.Json.Serialization;

namespace Drover.Proxmox.Contracts;

/// <summary>One item of <c>GET /nodes/{node}/storage</c>: a storage as this node sees it.</summary>
public sealed record StorageSummary
{
    public required string Storage { get; init; }

    /// <summary>Storage type: <c>dir</c>, <c>lvmthin</c>, <c>zfspool</c>, <c>nfs</c>, …</summary>
    public required string Type { get; init; }

    /// <summary>Raw content list, e.g. <c>iso,vztmpl,snippets,images</c>.</summary>
    public string Content { get; init; } = "";

    public bool? Active { get; init; }
    public bool? Enabled { get; init; }
    public bool? Shared { get; init; }
    public long? Total { get; init; }
    public long? Used { get; init; }
    public long? Avail { get; init; }

    /// <summary>The content types as a list.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> ContentTypes => StorageContent.Split(Content);
}

/// <summary>One item of <c>GET /nodes/{node}/storage/{storage}/content</c>.</summary>
public sealed record StorageContentItem
{
    /// <summary>Volume id, e.g. <c>local:iso/debian.iso</c>, <c>local:import/debian.qcow2</c>.</summary>
    [JsonPropertyName("volid")]
    public required string VolId { get; init; }

    /// <summary><c>raw</c>, <c>qcow2</c>, <c>iso</c>, <c>tgz</c>, …</summary>
    public required string Format { get; init; }

    public required long Size { get; init; }

    /// <summary>Content type (<c>iso</c>, <c>images</c>, <c>import</c>, …), when the server says.</summary>
    public string? Content { get; init; }

    /// <summary>Creation time, seconds since the Unix epoch.</summary>
    [JsonPropertyName("ctime")]
    public long? CTime { get; init; }

    [JsonPropertyName("vmid")]
    public int? VmId { get; init; }
    public string? Parent { get; init; }
    public string? Notes { get; init; }
    public long? Used { get; init; }
}

/// <summary><c>GET /storage/{storage}</c>: the storage's configuration (cluster-wide).</summary>
public sealed record StorageConfig
{
    public required string Storage { get; init; }

    public required string Type { get; init; }

    public string Content { get; init; } = "";

    /// <summary>Directory of file-based storages (<c>dir</c>, <c>nfs</c>, …).</summary>
    public string? Path { get; init; }

    public bool? Shared { get; init; }

    /// <summary>Set when the storage is disabled.</summary>
    public bool? Disable { get; init; }

    /// <summary>Nodes the storage is limited to (comma list), when limited.</summary>
    public string? Nodes { get; init; }

    public string? Digest { get; init; }

    [JsonIgnore]
    public IReadOnlyList<string> ContentTypes => StorageContent.Split(Content);
}

/// <summary>Content type names of Proxmox storages and the list helper.</summary>
public static class StorageContent
{
    public const string Iso = "iso";
    public const string Vztmpl = "vztmpl";
    public const string Import = "import";
    public const string Images = "images";
    public const string RootDir = "rootdir";
    public const string Snippets = "snippets";
    public const string Backup = "backup";

    /// <summary>Splits a content list (<c>iso,images</c>).</summary>
    public static IReadOnlyList<string> Split(string? list)
        => string.IsNullOrWhiteSpace(list) ? [] : list.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>The <c>checksum-algorithm</c> values of an upload.</summary>
public enum ChecksumAlgorithm
{
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}
