using Drover.Hcloud.Contracts;

namespace Drover.Images.Build;

/// <summary>What <see cref="DebianBuilder.BuildAsync"/> builds.</summary>
public sealed record DebianBuildOptions
{
    /// <summary>
    /// The packages every image gets (on top of <c>minbase</c>), whatever its architecture. <c>qemu-guest-agent</c> starts
    /// only where its virtio port exists (Proxmox VMs with <c>agent: 1</c>): Proxmox reads the VM's addresses through it.
    /// </summary>
    public static readonly IReadOnlyList<string> CommonPackages =
        ["systemd-sysv", "udev", "iproute2", "openssh-server", "ca-certificates", "systemd-resolved", "curl", "qemu-guest-agent"];

    /// <summary>
    /// The packages an image of <paramref name="architecture"/> gets: its kernel, and for arm GRUB's arm64-efi modules
    /// (an arm64 package this machine's apt does not offer; the disk's EFI loader is made from the image's own copy).
    /// </summary>
    public static IReadOnlyList<string> BasePackages(Architecture architecture) => architecture == Architecture.Arm
        ? ["linux-image-arm64", .. CommonPackages, "grub-efi-arm64-bin"]
        : ["linux-image-amd64", .. CommonPackages];

    /// <summary>The kernel command line's console for <paramref name="architecture"/>: the 16550 on x86, the PL011 on arm.</summary>
    public static string DefaultKernelArguments(Architecture architecture)
        => architecture == Architecture.Arm ? "console=ttyAMA0,115200 net.ifnames=0" : "console=ttyS0,115200 net.ifnames=0";

    /// <summary>
    /// The agent's unit when none is given: runs <c>/usr/local/bin/drover-agent</c> after the network is up at every
    /// boot; the agent works once per instance and exits at once on later boots (marker and SMBIOS serial).
    /// </summary>
    public const string DefaultAgentUnit = """
        [Unit]
        Description=Drover first-boot agent
        Wants=network-online.target
        After=network-online.target drover-ssh-hostkeys.service

        [Service]
        Type=oneshot
        ExecStart=/usr/local/bin/drover-agent
        StandardOutput=journal+console
        RemainAfterExit=yes

        [Install]
        WantedBy=multi-user.target

        """;

    /// <summary>The image's file name without extension: <c>NAME.raw</c>, <c>NAME.manifest.json</c>.</summary>
    public string Name { get; init; } = "debian";

    public string Suite { get; init; } = "bookworm";

    /// <summary>
    /// <see cref="Architecture.X86"/> (a GPT disk that boots under BIOS and UEFI) or <see cref="Architecture.Arm"/>
    /// (arm64, UEFI only, as Hetzner's cax servers boot). An arm root file system on an x86 machine runs its maintainer
    /// scripts through qemu-user-static and binfmt_misc.
    /// </summary>
    public Architecture Architecture { get; init; } = Architecture.X86;

    /// <summary>A mirror URL; unset: the sources apt is configured with on this machine.</summary>
    public string? Mirror { get; init; }

    /// <summary>Packages beyond <see cref="BasePackages"/>.</summary>
    public IReadOnlyList<string> Packages { get; init; } = [];

    /// <summary>The first-boot agent, a single-file executable; installed as <c>/usr/local/bin/drover-agent</c> (0755).</summary>
    public required string AgentPath { get; init; }

    /// <summary>The agent's systemd unit (<c>drover-agent.service</c>).</summary>
    public string AgentUnit { get; init; } = DefaultAgentUnit;

    public required string OutputDirectory { get; init; }

    /// <summary>Labels added to (and overriding) <c>os</c>, <c>version</c>, <c>arch</c>.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Where finished root file systems are cached; unset: <see cref="RootfsCache.DefaultDirectory"/>.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Bootstrap afresh (the result still refreshes the cache).</summary>
    public bool NoCache { get; init; }

    /// <summary>Size of the root partition; unset: the root file system's size plus headroom, at least 1200 MiB.</summary>
    public int? RootSizeMiB { get; init; }

    /// <summary><see cref="ImageCompression.None"/> (<c>NAME.raw</c>) or <see cref="ImageCompression.Zstd"/> (<c>NAME.raw.zst</c>).</summary>
    public ImageCompression Compression { get; init; } = ImageCompression.None;

    /// <summary>Files copied into the root file system before the scan (source on this machine, absolute path in the image).</summary>
    public IReadOnlyList<ExtraFile> ExtraFiles { get; init; } = [];

    /// <summary>Runs on the customised root file system (its path) before the scan.</summary>
    public Func<string, CancellationToken, Task>? CustomizeHook { get; init; }

    /// <summary>The placeholder written to <c>/etc/hostname</c> (the agent sets the real one).</summary>
    public string Hostname { get; init; } = "debian";

    /// <summary>The kernel command line after <c>root=LABEL=root rw</c>; unset: <see cref="DefaultKernelArguments"/>.</summary>
    public string? KernelArguments { get; init; }
}

/// <summary>A file added to the image: <paramref name="Source"/> on this machine, <paramref name="ImagePath"/> absolute inside the image.</summary>
public sealed record ExtraFile(string Source, string ImagePath)
{
    /// <summary>Parses <c>SRC:/path/in/image</c>.</summary>
    public static ExtraFile Parse(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        var cut = text.LastIndexOf(":/", StringComparison.Ordinal);
        if (cut <= 0)
        {
            throw new ArgumentException($"'{text}' is not SRC:/path/in/image", nameof(text));
        }
        return new ExtraFile(text[..cut], text[(cut + 1)..]);
    }
}
