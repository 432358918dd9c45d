namespace Drover.Proxmox.Contracts;

/// <summary>Which generated file <c>GET …/cloudinit/dump?type=</c> returns.</summary>
public enum CloudInitDumpType
{
    User,
    Network,
    Meta,
}
