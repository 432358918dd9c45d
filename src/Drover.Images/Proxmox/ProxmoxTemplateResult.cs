namespace Drover.Images.Proxmox;

/// <summary>The template an image became (or already was).</summary>
public sealed record ProxmoxTemplateResult
{
    public required int VmId { get; init; }

    public required string Node { get; init; }

    public required string Name { get; init; }

    /// <summary>The image's sha256 (hex).</summary>
    public required string Digest { get; init; }

    /// <summary>The import volume the disk came from, e.g. <c>local:import/drover-0123456789abcdef.raw</c>.</summary>
    public required string ImportVolume { get; init; }

    /// <summary>A template with the same digest already existed: nothing was created.</summary>
    public bool Reused { get; init; }

    /// <summary>The image was uploaded (false: the import volume was already on the storage, or the template reused).</summary>
    public bool Uploaded { get; init; }

    /// <summary>The template's tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
}
