using Drover.LocalCloud.Machines;

namespace Drover.LocalCloud;

/// <summary>
/// Tells whether servers can be real machines here (rescue sshd in network and mount namespaces over loop devices, and
/// QEMU boots of disks that hold data), and if not, why: not Linux, not root, a tool missing, <c>ip netns add</c> or
/// <c>losetup -f</c> failing; and per architecture which firmware boots (no <c>qemu-system-aarch64</c>, no OVMF, ...).
/// </summary>
public static class MachineSupportProbe
{
    public const string ApiOnly = "api-only";
    public const string Machines = "machines";

    /// <summary>The tools a rescue system needs on the host.</summary>
    internal static readonly string[] RequiredTools = ["/usr/sbin/sshd", "unshare", "ip", "losetup", "ssh-keygen", "blockdev", "mknod", "mount"];

    /// <summary>What QEMU boots need besides the emulators and firmware (<see cref="QemuPlatform"/>): nc for the metadata forward.</summary>
    internal static readonly string[] BootTools = ["nc"];

    /// <summary><see cref="MachineSupport.Boot"/> when servers cannot boot under QEMU.</summary>
    public const string NoBoot = "none";

    /// <summary>What to do when an earlier run's leftovers could not be removed.</summary>
    public const string LeftoversHint = "run 'drover local reset': it stops every machine, removes what earlier runs left and says what it could not remove";

    /// <summary>Whether this process may sweep host resources (Linux, root, <c>ip</c> present).</summary>
    public static bool CanSweep() => OperatingSystem.IsLinux() && NativeMethods.GetEffectiveUserId() == 0 && HostCommand.Find("ip") is not null;

    /// <summary>
    /// Probes the machine (creates and deletes a probe namespace) unless <paramref name="mode"/> is Off;
    /// <paramref name="treatAsMissing"/> as <see cref="LocalCloudOptions.TreatAsMissing"/>.
    /// </summary>
    public static MachineSupport Probe(MachineMode mode = MachineMode.Auto, IReadOnlySet<string>? treatAsMissing = null)
    {
        if (mode == MachineMode.Off)
        {
            return Unavailable("machines are off (LocalCloudOptions.Machines = Off): servers change state through the API only");
        }
        if (!OperatingSystem.IsLinux())
        {
            return Unavailable("not Linux: rescue systems need network namespaces and loop devices", "run the local cloud on Linux for real machines; the API works the same here");
        }
        if (NativeMethods.GetEffectiveUserId() != 0)
        {
            return Unavailable("not root: rescue systems need network namespaces and loop devices", "run Drover as root (for example with sudo) for real machines; the API works the same without");
        }
        if (RequiredTools.FirstOrDefault(t => HostCommand.Find(t) is null) is { } missing)
        {
            return Unavailable($"{missing} not found", "run 'bash scripts/setup' (it installs what machines need), then 'drover local reset'");
        }
        var probe = $"drover-probe-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}";
        var add = HostCommand.Run("ip", "netns", "add", probe);
        if (!add.Ok)
        {
            return Unavailable($"ip netns add failed: {add.Message}", "this host does not let Drover make network namespaces (a container without CAP_SYS_ADMIN?)");
        }
        var delete = HostCommand.Run("ip", "netns", "del", probe);
        if (!delete.Ok)
        {
            return Unavailable($"ip netns del failed: {delete.Message}", $"remove the namespace {probe} by hand ('ip netns del {probe}'), then 'drover local reset'");
        }
        var loop = HostCommand.Run("losetup", "-f");
        if (!loop.Ok)
        {
            return Unavailable($"losetup -f failed: {loop.Message}", "this host has no free loop device ('losetup -a' lists them; 'drover local reset' detaches the local cloud's own)");
        }
        var (boot, bootReason, architectures) = ProbeBoot(treatAsMissing);
        return new MachineSupport
        {
            Mode = Machines,
            Reason = $"rescue systems run as sshd in network and mount namespaces over loop devices; {bootReason}",
            Boot = boot,
            BootReason = bootReason,
            Architectures = architectures,
        };
    }

    /// <summary>
    /// Whether servers whose disk holds data can boot under QEMU here (machines being possible otherwise), and per
    /// architecture with which firmware. With no architecture at all, such servers stay API-only; with some, a server of
    /// a missing one fails its boot with the reason.
    /// </summary>
    private static (string Boot, string Reason, IReadOnlyList<BootArchitecture> Architectures) ProbeBoot(IReadOnlySet<string>? treatAsMissing)
    {
        var architectures = ProbeArchitectures(QemuPlatform.FindProgram(treatAsMissing), QemuPlatform.FileExists(treatAsMissing));
        if (BootTools.FirstOrDefault(t => HostCommand.Find(t) is null) is { } missing)
        {
            return (NoBoot, $"no QEMU boots ({missing} not found): servers booted from a disk stay API-only", architectures);
        }
        var summary = string.Join("; ", architectures.Select(Describe));
        if (architectures.All(a => !a.Available))
        {
            return (NoBoot, $"no QEMU boots ({summary}): servers booted from a disk stay API-only", architectures);
        }
        var kvm = string.Equals(Environment.GetEnvironmentVariable("DROVER_LOCALCLOUD_ACCEL"), "kvm", StringComparison.OrdinalIgnoreCase);
        return kvm
            ? ("qemu-kvm", $"servers whose disk holds data boot under QEMU with KVM (DROVER_LOCALCLOUD_ACCEL=kvm; for the host's own architecture); {summary}", architectures)
            : ("qemu-tcg", $"servers whose disk holds data boot under QEMU (TCG software emulation; DROVER_LOCALCLOUD_ACCEL=kvm for KVM); {summary}", architectures);
    }

    /// <summary>Per architecture: the firmware whose emulator and files are installed, and what is missing for the others.</summary>
    internal static IReadOnlyList<BootArchitecture> ProbeArchitectures(Func<string, string?> findProgram, Func<string, bool> fileExists)
        => [.. QemuPlatform.All.GroupBy(p => p.Architecture).Select(platforms =>
        {
            var checks = platforms.Select(p => (Platform: p, Problem: p.Problem(findProgram, fileExists))).ToList();
            var working = checks.Where(c => c.Problem is null).Select(c => c.Platform).ToList();
            var reasons = checks.Where(c => c.Problem is not null)
                .Select(c => working.Count > 0 ? $"{Name(c.Platform.Firmware)} unavailable: {c.Problem}" : c.Problem!)
                .Distinct().ToList();
            return new BootArchitecture
            {
                Architecture = platforms.Key.Value,
                Available = working.Count > 0,
                Firmware = [.. working.Select(p => Name(p.Firmware))],
                Accelerator = working.Count > 0 ? working[0].Accelerator : null,
                Reason = reasons.Count > 0 ? string.Join("; ", reasons) : null,
            };
        })];

    /// <summary><c>x86: bios, uefi</c>, <c>arm: unavailable (qemu-system-aarch64 not found: ...)</c>.</summary>
    internal static string Describe(BootArchitecture a)
        => a.Available
            ? $"{a.Architecture}: {string.Join(", ", a.Firmware)}{(a.Reason is { } r ? $" ({r})" : "")}"
            : $"{a.Architecture}: unavailable ({a.Reason})";

    private static string Name(BootFirmware firmware) => firmware.ToString().ToLowerInvariant();

    private static MachineSupport Unavailable(string reason, string? hint = null) => new() { Mode = ApiOnly, Reason = reason, Boot = NoBoot, BootReason = $"no QEMU boots: {reason}", Hint = hint };
}
