using Drover.LocalCloud.Machines;

namespace Drover.LocalCloud;

/// <summary>
/// Tells whether servers can be real machines here (rescue sshd in network and mount namespaces over loop devices),
/// and if not, why: not Linux, not root, a tool missing, <c>ip netns add</c> or <c>losetup -f</c> failing.
/// </summary>
public static class MachineSupportProbe
{
    public const string ApiOnly = "api-only";
    public const string Machines = "machines";

    /// <summary>The tools a rescue system needs on the host.</summary>
    internal static readonly string[] RequiredTools = ["/usr/sbin/sshd", "unshare", "ip", "losetup", "ssh-keygen", "blockdev", "mknod", "mount"];

    /// <summary>Probes the machine (creates and deletes a probe namespace) unless <paramref name="mode"/> is Off.</summary>
    public static MachineSupport Probe(MachineMode mode = MachineMode.Auto)
    {
        if (mode == MachineMode.Off)
        {
            return Unavailable("machines are off (LocalCloudOptions.Machines = Off): servers change state through the API only");
        }
        if (!OperatingSystem.IsLinux())
        {
            return Unavailable("not Linux: rescue systems need network namespaces and loop devices");
        }
        if (NativeMethods.GetEffectiveUserId() != 0)
        {
            return Unavailable("not root: rescue systems need network namespaces and loop devices");
        }
        if (RequiredTools.FirstOrDefault(t => HostCommand.Find(t) is null) is { } missing)
        {
            return Unavailable($"{missing} not found");
        }
        var probe = $"drover-probe-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}";
        var add = HostCommand.Run("ip", "netns", "add", probe);
        if (!add.Ok)
        {
            return Unavailable($"ip netns add failed: {add.Message}");
        }
        var delete = HostCommand.Run("ip", "netns", "del", probe);
        if (!delete.Ok)
        {
            return Unavailable($"ip netns del failed: {delete.Message}");
        }
        var loop = HostCommand.Run("losetup", "-f");
        if (!loop.Ok)
        {
            return Unavailable($"losetup -f failed: {loop.Message}");
        }
        return new MachineSupport { Mode = Machines, Reason = "rescue systems run as sshd in network and mount namespaces over loop devices; no QEMU boot yet (other boots stay API-only)" };
    }

    private static MachineSupport Unavailable(string reason) => new() { Mode = ApiOnly, Reason = reason };
}
