namespace Drover.Proxmox.Contracts;

/// <summary>A config change (<c>POST</c> or <c>PUT …/config</c>): keys to set, keys to delete, and guards.</summary>
public sealed record UpdateVmConfigRequest
{
    public VmSettings? Settings { get; init; }

    /// <summary>Keys to remove (<c>delete</c>).</summary>
    public IReadOnlyList<string>? Delete { get; init; }

    /// <summary>Refuse the change when the config's digest differs (someone else changed it).</summary>
    public string? Digest { get; init; }

    /// <summary>Remove disks physically (<c>force</c>).</summary>
    public bool? Force { get; init; }

    public bool? SkipLock { get; init; }

    internal FormParameters ToForm(int vmid)
    {
        var form = new FormParameters();
        Settings?.AddTo(form);
        form.Add("delete", Delete is { Count: > 0 } d ? string.Join(',', d) : null);
        if (form.Count == 0)
        {
            throw new ArgumentException($"config change of VM {vmid}: no keys to set or delete");
        }
        return form.Add("digest", Digest).Add("force", Force).Add("skiplock", SkipLock);
    }
}
