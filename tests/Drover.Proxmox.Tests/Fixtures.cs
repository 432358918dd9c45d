namespace Drover.Proxmox.Tests;

/// <summary>Wire values shaped as Proxmox writes them.</summary>
internal static class Fixtures
{
    public const string CloneUpid = "UPID:pve:000A1B2C:0012D687:6763F1A0:qmclone:9000:root@pam!drover:";
    public const string StartUpid = "UPID:pve:000A1B2D:0012D688:6763F1A1:qmstart:101:root@pam!drover:";
    public const string EscapedCloneUpid = "UPID%3Apve%3A000A1B2C%3A0012D687%3A6763F1A0%3Aqmclone%3A9000%3Aroot%40pam%21drover%3A";
}
