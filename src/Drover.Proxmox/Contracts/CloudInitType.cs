namespace Drover.Proxmox.Contracts;

/// <summary>The <c>citype</c> config value: the format of the cloud-init drive Proxmox builds.</summary>
public readonly record struct CloudInitType(string Value)
{
    /// <summary>NoCloud (volume label <c>cidata</c>), Proxmox's default for non-Windows guests.</summary>
    public static readonly CloudInitType NoCloud = new("nocloud");
    public static readonly CloudInitType ConfigDrive2 = new("configdrive2");
    public static readonly CloudInitType OpenNebula = new("opennebula");

    public override string ToString() => Value;
}
