namespace Drover.Proxmox.Contracts;

/// <summary><c>POST /nodes/{node}/qemu</c>: a new VM.</summary>
public sealed record CreateVmRequest
{
    /// <summary>The new VM's id (see <see cref="ClusterClient.NextIdAsync"/>).</summary>
    public required int VmId { get; init; }

    public VmSettings Settings { get; init; } = new();

    /// <summary>Start the VM once created.</summary>
    public bool? Start { get; init; }

    /// <summary>Add the VM to this pool.</summary>
    public string? Pool { get; init; }

    internal FormParameters ToForm()
    {
        var form = new FormParameters().Add("vmid", VmId);
        Settings.AddTo(form);
        return form.Add("start", Start).Add("pool", Pool);
    }
}
