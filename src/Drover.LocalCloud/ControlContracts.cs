using System.Text.Json.Serialization;
using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Http;

namespace Drover.LocalCloud;

/// <summary>What <c>GET /__localcloud/status</c> answers.</summary>
public sealed record ControlStatus
{
    public required string Version { get; init; }
    public int Pid { get; init; }
    public string? StateDirectory { get; init; }
    public required MachineSupport Machine { get; init; }
    public required ControlRateLimit RateLimit { get; init; }
    public required ControlCounts Counts { get; init; }

    /// <summary>The local Proxmox VE's listener and credentials (not its token secret: that is in the state directory).</summary>
    public ControlProxmox? Proxmox { get; init; }
}

/// <summary>Where the local Proxmox VE listens and how to trust it.</summary>
public sealed record ControlProxmox
{
    /// <summary><c>https://127.0.0.1:PORT/api2/json</c>; null when it has no listener (in memory).</summary>
    public string? Endpoint { get; init; }
    public required string Node { get; init; }

    /// <summary><c>root@pam!drover</c>.</summary>
    public required string TokenId { get; init; }

    /// <summary>The certificate's SHA-256 fingerprint, <c>AA:BB:…</c>.</summary>
    public required string Fingerprint { get; init; }
}

/// <summary>Whether servers are real machines here, or API-only, and why.</summary>
public sealed record MachineSupport
{
    /// <summary><c>api-only</c> or <c>machines</c>.</summary>
    public required string Mode { get; init; }
    public string? Reason { get; init; }

    /// <summary><c>qemu-tcg</c>, <c>qemu-kvm</c> or <c>none</c>: whether servers whose disk holds data boot under QEMU.</summary>
    public string? Boot { get; init; }

    /// <summary>Why (not).</summary>
    public string? BootReason { get; init; }

    /// <summary>
    /// Per architecture (x86, arm), which firmware boots here and why not (a missing emulator or firmware, naming the
    /// Debian package); null when machines cannot run at all. A server whose disk holds data and whose architecture or
    /// firmware is unavailable fails its boot with that reason.
    /// </summary>
    public IReadOnlyList<BootArchitecture>? Architectures { get; init; }

    /// <summary>
    /// What earlier runs left on the host that no sweep could remove yet, each naming the thing and why (null when
    /// nothing). Machines still run; the next reset, down or start tries again.
    /// </summary>
    public IReadOnlyList<string>? Leftovers { get; init; }

    /// <summary>What the operator can do about <see cref="Reason"/> or <see cref="Leftovers"/>, e.g. "run 'drover local reset'".</summary>
    public string? Hint { get; init; }
}

/// <summary>Whether servers of one architecture boot under QEMU here, with which firmware.</summary>
public sealed record BootArchitecture
{
    /// <summary><c>x86</c> or <c>arm</c> (the server type's architecture).</summary>
    public required string Architecture { get; init; }

    /// <summary>Whether servers of this architecture boot here at all.</summary>
    public bool Available { get; init; }

    /// <summary>The firmware they can boot with here: <c>bios</c> (SeaBIOS, x86's default), <c>uefi</c> (OVMF on x86, AAVMF on arm).</summary>
    public IReadOnlyList<string> Firmware { get; init; } = [];

    /// <summary><c>tcg</c> or <c>kvm</c> (KVM only for the host's own architecture); null when unavailable.</summary>
    public string? Accelerator { get; init; }

    /// <summary>Why it (or one of its firmware) is unavailable, naming what to install; null when everything boots.</summary>
    public string? Reason { get; init; }
}

/// <summary>What <c>POST /__localcloud/reset</c> answers: what could not be removed, and the machine support after it.</summary>
public sealed record ControlReset
{
    /// <summary>Rescue systems, QEMU boots and earlier runs' leftovers removed.</summary>
    public int Removed { get; init; }

    /// <summary>What could not be removed, each naming the thing and why; empty when everything went.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    public required MachineSupport Machine { get; init; }
}

/// <summary>Rate-limit budget (<c>POST /__localcloud/rate-limit</c>).</summary>
public sealed record ControlRateLimit
{
    public int Limit { get; init; }
    public long RefillIntervalMs { get; init; }
}

/// <summary>Resource counts.</summary>
public sealed record ControlCounts
{
    public int Servers { get; init; }
    public int Images { get; init; }
    public int SshKeys { get; init; }
    public int Actions { get; init; }
}

/// <summary>How many things an operation affected.</summary>
public sealed record ControlCompleted
{
    public int Completed { get; init; }
}

/// <summary>Body of <c>POST /__localcloud/seed/snapshots</c>.</summary>
public sealed record SeedSnapshotsRequest
{
    public int Count { get; init; }
    public string? DescriptionPrefix { get; init; }
    public string? Architecture { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>The snapshots' <c>disk_size</c> in GB (default 40).</summary>
    public int? DiskSize { get; init; }
}

/// <summary>Body of <c>change_protection</c>.</summary>
public sealed record ChangeProtectionRequest
{
    public bool? Delete { get; init; }
    public bool? Rebuild { get; init; }
}

/// <summary><c>{"datacenters": [...], "recommendation": ..., "meta": ...}</c></summary>
public sealed record DatacentersResponse
{
    public required IReadOnlyList<Datacenter> Datacenters { get; init; }
    public long Recommendation { get; init; }
    public required Meta Meta { get; init; }
}

/// <summary>What <c>GET /__localcloud/servers/{id}</c> answers: where the server's disk is and its rescue system.</summary>
public sealed record ControlServerMachine
{
    public long ServerId { get; init; }

    /// <summary>The server's disk (a sparse file), or null without machines or before it exists.</summary>
    public string? DiskPath { get; init; }

    public required ControlRescue Rescue { get; init; }

    /// <summary>The server's QEMU boot, when one runs.</summary>
    public ControlQemu? Qemu { get; init; }

    /// <summary>
    /// The server's most recent QEMU boot, also after it ended (a guest that powered itself off, a poweroff): what ran
    /// where, so that what it left on the host can be checked. Null before the first boot.
    /// </summary>
    public ControlQemu? LastQemu { get; init; }
}

/// <summary>A server's QEMU on the host.</summary>
public sealed record ControlQemu
{
    public int? Pid { get; init; }
    public string? Namespace { get; init; }
    public string? HostVeth { get; init; }
    public string? Address { get; init; }

    /// <summary>The serial logs' directory (<c>console.log</c>, <c>markers.log</c>).</summary>
    public string? ConsoleDirectory { get; init; }

    /// <summary><c>x86</c> or <c>arm</c>.</summary>
    public string? Architecture { get; init; }

    /// <summary><c>bios</c> or <c>uefi</c>.</summary>
    public string? Firmware { get; init; }

    /// <summary>The server's UEFI variable store (next to its disk, deleted with it), null for SeaBIOS.</summary>
    public string? FirmwareVars { get; init; }
}

/// <summary>What <c>GET /__localcloud/servers/{id}/metadata-endpoint</c> answers: the server's metadata service on 127.0.0.1.</summary>
public sealed record ControlMetadataEndpoint
{
    /// <summary>The base, <c>http://127.0.0.1:PORT/hetzner/v1/</c> (what 169.254.169.254 is to the server).</summary>
    public required string Url { get; init; }

    /// <summary><c>{Url}metadata</c> (hcloud-go's endpoint, cloud-init's <c>metadata_url</c>).</summary>
    public required string MetadataUrl { get; init; }

    /// <summary><c>{Url}userdata</c> (cloud-init's <c>userdata_url</c>).</summary>
    public required string UserdataUrl { get; init; }
}

/// <summary>A server's rescue system on the host.</summary>
public sealed record ControlRescue
{
    public bool Running { get; init; }

    /// <summary>The sshd's PID.</summary>
    public int? Pid { get; init; }
    public string? Namespace { get; init; }
    public string? HostVeth { get; init; }
    public string? LoopDevice { get; init; }
    public string? Address { get; init; }
}

/// <summary>What <c>GET /__localcloud/images/{id}</c> answers: where a snapshot's disk is stored.</summary>
public sealed record ControlImageMachine
{
    public long ImageId { get; init; }

    /// <summary>The stored disk (a sparse file), or null when the image has none (system images, API-only snapshots).</summary>
    public string? DiskPath { get; init; }
}

/// <summary>Body of <c>POST /__localcloud/files</c>: a host file (or directory of files) to serve to rescue systems.</summary>
public sealed record RegisterFileRequest
{
    /// <summary>Absolute path of an existing file, or of a directory whose files are served under one URL.</summary>
    public string? Path { get; init; }
}

/// <summary>Answer of <c>POST /__localcloud/files</c>.</summary>
public sealed record RegisteredFile
{
    /// <summary>
    /// <c>http://198.19.255.254:PORT/files/TOKEN/NAME</c> with machines (reachable from rescue systems), else on 127.0.0.1;
    /// for a directory <c>…/files/TOKEN/</c>, under which its files are served by their relative paths.
    /// </summary>
    public required string Url { get; init; }
}

/// <summary>What the host reports about itself in the control API (machine support as it is now: leftovers change).</summary>
public sealed record LocalCloudRuntimeInfo(string Version, string? StateDirectory, Func<MachineSupport> Machine);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ControlStatus))]
[JsonSerializable(typeof(ControlReset))]
[JsonSerializable(typeof(ControlCompleted))]
[JsonSerializable(typeof(SeedSnapshotsRequest))]
[JsonSerializable(typeof(ChangeProtectionRequest))]
[JsonSerializable(typeof(DatacentersResponse))]
[JsonSerializable(typeof(RequestFault))]
[JsonSerializable(typeof(ActionFault))]
[JsonSerializable(typeof(ControlServerMachine))]
[JsonSerializable(typeof(ControlImageMachine))]
[JsonSerializable(typeof(RegisterFileRequest))]
[JsonSerializable(typeof(RegisteredFile))]
[JsonSerializable(typeof(ControlMetadataEndpoint))]
public sealed partial class LocalCloudJsonContext : JsonSerializerContext;
