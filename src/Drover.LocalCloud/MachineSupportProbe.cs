namespace Drover.LocalCloud;

/// <summary>Tells whether servers can be real machines here (rescue sshd in namespaces, QEMU), and if not, why.</summary>
public static class MachineSupportProbe
{
    public static MachineSupport Probe()
        => new()
        {
            Mode = "api-only",
            Reason = "this build of the local cloud has no machine runtime yet: servers change state through the API only (no rescue sshd, no QEMU boot)",
        };
}
