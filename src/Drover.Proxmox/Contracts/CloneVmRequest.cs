namespace Drover.Proxmox.Contracts;

/// <summary>
/// <c>POST /nodes/{node}/qemu/{vmid}/clone</c>. Cloning a template gives a linked clone unless <see cref="Full"/> is
/// set; <see cref="Storage"/> and <see cref="Format"/> only work for full clones, <see cref="Target"/> only with
/// shared storage.
/// </summary>
public sealed record CloneVmRequest
{
    /// <summary>The clone's VMID.</summary>
    public required int NewId { get; init; }

    public string? Name { get; init; }
    public bool? Full { get; init; }
    public string? Storage { get; init; }

    /// <summary><c>raw</c>, <c>qcow2</c> or <c>vmdk</c> (full clones to file storage).</summary>
    public string? Format { get; init; }

    /// <summary>Target node.</summary>
    public string? Target { get; init; }

    public string? Pool { get; init; }
    public string? Description { get; init; }
    public string? SnapName { get; init; }

    /// <summary>I/O limit in KiB/s.</summary>
    public int? BandwidthLimit { get; init; }

    internal FormParameters ToForm()
    {
        if (Full == false && (Storage is not null || Format is not null))
        {
            throw new ArgumentException($"clone {NewId}: storage and format are only allowed for full clones");
        }
        return new FormParameters().Add("newid", NewId).Add("name", Name).Add("full", Full).Add("storage", Storage)
            .Add("format", Format).Add("target", Target).Add("pool", Pool).Add("description", Description)
            .Add("snapname", SnapName).Add("bwlimit", BandwidthLimit);
    }
}
