namespace Drover.LocalCloud;

/// <summary>Settings of one local cloud instance.</summary>
public sealed record LocalCloudOptions
{
    /// <summary>The bearer token clients must send. Generated when not given.</summary>
    public required string Token { get; init; }

    /// <summary>Where state survives restarts (<c>state.json</c>, written atomically). Null keeps it in memory.</summary>
    public string? StateDirectory { get; init; }

    /// <summary>How long an action stays <c>running</c> before it succeeds (or fails, when a fault is injected).</summary>
    public TimeSpan ActionDuration { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Per-command overrides of <see cref="ActionDuration"/>, e.g. <c>create_image</c>.</summary>
    public IReadOnlyDictionary<string, TimeSpan> ActionDurations { get; init; } = new Dictionary<string, TimeSpan>();

    /// <summary>Requests a token may make before it gets <c>429 rate_limit_exceeded</c> (the real default is 3600 an hour).</summary>
    public int RateLimitBudget { get; init; } = 3600;

    /// <summary>How often one request is added back to the budget (the real API: one a second).</summary>
    public TimeSpan RateLimitRefillInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Added to every <c>/v1</c> request before it is answered, to mimic a remote API. Zero by default.</summary>
    public TimeSpan Latency { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// <see cref="MachineMode.Auto"/> (default): servers get real rescue systems (sshd in network and mount namespaces
    /// over loop devices) when the machine allows it; <see cref="MachineMode.Off"/>: API-only. Tests that only want the
    /// API should say Off.
    /// </summary>
    public MachineMode Machines { get; init; } = MachineMode.Auto;

    /// <summary>How long <c>shutdown</c> waits for a QEMU guest to turn off after the ACPI power button before killing it.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Programs (by name, e.g. <c>qemu-system-aarch64</c>) and firmware files (by path) that QEMU boots treat as not
    /// installed, to see the local cloud as on a host without them (tests): the probe reports the architecture or
    /// firmware unavailable, and a server that needs it fails its boot with that reason.
    /// </summary>
    public IReadOnlySet<string> TreatAsMissing { get; init; } = new HashSet<string>();

    /// <summary>The name of the local Proxmox VE's one node.</summary>
    public string ProxmoxNode { get; init; } = "drover";

    /// <summary>How long the local Proxmox VE waits before answering 401 (real PVE: 3 s), on <see cref="TimeProvider"/>.</summary>
    public TimeSpan ProxmoxAuthFailureDelay { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Clock for action progress, rate limits and timestamps.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>A random token for a fresh instance.</summary>
    public static string NewToken() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
}
