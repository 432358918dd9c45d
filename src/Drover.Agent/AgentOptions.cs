namespace Drover.Agent;

/// <summary>What one agent run does: where the metadata service is, which file tree it configures, how long it waits.</summary>
public sealed record AgentOptions
{
    /// <summary>The Hetzner metadata service the real servers see.</summary>
    public const string DefaultMetadataUrl = "http://169.254.169.254/hetzner/v1/";

    /// <summary>Base URL ending in <c>/</c>; <c>metadata</c>, <c>metadata/private-networks</c> and <c>userdata</c> are relative to it.</summary>
    public Uri MetadataUrl { get; init; } = new(DefaultMetadataUrl);

    /// <summary>Prefix of every path the agent reads or writes. Anything but <c>/</c> also turns off system calls (hostname, networkctl).</summary>
    public string Root { get; init; } = "/";

    /// <summary>
    /// Where the systemd-networkd units go, an absolute path of the configured system (under <see cref="Root"/> like
    /// every other path). Default <see cref="AgentPaths.NetworkDir"/>; NixOS's module sets <c>/run/systemd/network</c>,
    /// because <c>/etc/systemd/network</c> is a read-only link into the Nix store there.
    /// </summary>
    public string NetworkDirectory { get; init; } = AgentPaths.NetworkDir;

    /// <summary>Run even when the marker says a previous run finished.</summary>
    public bool Force { get; init; }

    /// <summary>Only the early instance check (<c>--instance-check</c>): no network, no metadata.</summary>
    public bool InstanceCheck { get; init; }

    /// <summary>How long the metadata service may take to answer, retries included.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>First retry delay; doubles per attempt up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan InitialRetryDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Limit for the first request to the metadata service: when it does not answer in this time and a NoCloud drive
    /// (label <c>cidata</c>) is there, the agent reads the drive (Proxmox, QEMU) instead.
    /// </summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Where NoCloud drives are found and read (tests: a fixture directory); null: block devices under <see cref="Root"/>.</summary>
    internal INoCloudMedia? NoCloudMedia { get; init; }

    /// <summary>Limit for one HTTP request (never beyond what is left of <see cref="Timeout"/>).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Whether the agent configures the running system (sethostname, networkctl), i.e. the root is <c>/</c>.</summary>
    public bool IsLiveSystem => Path.GetFullPath(Root) == "/";
}
