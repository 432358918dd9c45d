namespace Drover.Images.Proxmox;

/// <summary>What <see cref="ProxmoxTemplateImporter.ImportAsync"/> makes a template of, and where.</summary>
public sealed record ProxmoxTemplateOptions
{
    /// <summary>A raw (<c>.raw</c>, <c>.img</c>) or qcow2 (<c>.qcow2</c>) disk image.</summary>
    public required string ImagePath { get; init; }

    /// <summary>The manifest with the image's secret scan; unset: <c>NAME.manifest.json</c> next to the image.</summary>
    public string? ManifestPath { get; init; }

    /// <summary>Import an image without a clean scan.</summary>
    public bool AllowUnscanned { get; init; }

    /// <summary>The template's VMID; unset: the cluster's next free id.</summary>
    public int? VmId { get; init; }

    /// <summary>The template's name (a DNS name); unset: <c>drover-</c> and the image's file name.</summary>
    public string? Name { get; init; }

    /// <summary>The node; unset: the cluster's only node.</summary>
    public string? Node { get; init; }

    /// <summary>The storage the image is uploaded to (content <c>import</c>).</summary>
    public string ImportStorage { get; init; } = "local";

    /// <summary>The storage of the template's disk and cloud-init drive (content <c>images</c>); unset: <see cref="ImportStorage"/>.</summary>
    public string? DiskStorage { get; init; }

    /// <summary>The bridge of the template's <c>net0</c>.</summary>
    public string Bridge { get; init; } = "vmbr0";

    /// <summary>Memory in MiB.</summary>
    public int Memory { get; init; } = 1024;

    public int Cores { get; init; } = 1;

    /// <summary>Tags added to Drover's own (<c>drover</c>, <c>drover-digest-…</c>).</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>How long one Proxmox task (upload, create, template) may take.</summary>
    public TimeSpan TaskTimeout { get; init; } = TimeSpan.FromMinutes(30);
}
