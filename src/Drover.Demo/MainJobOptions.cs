using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.Images.Runs;
using Drover.Images.Upload;
using Microsoft.Extensions.Logging;

namespace Drover.Demo;

/// <summary>What <see cref="MainJob"/> runs against and where it writes.</summary>
public sealed record MainJobOptions
{
    /// <summary>The cloud (the local one: the first boots are watched through its control API).</summary>
    public required HcloudClient Client { get; init; }

    /// <summary>This machine's run ledger (the upload's temporary resources are recorded there).</summary>
    public required RunLedger Runs { get; init; }

    /// <summary>Where the image, the key pair and the fleet file go.</summary>
    public required string WorkDirectory { get; init; }

    /// <summary>Drover's own known_hosts (host keys of the demo servers are trusted there, and forgotten when they go).</summary>
    public required string KnownHostsFile { get; init; }

    /// <summary>Where the steps and their times are written as they happen.</summary>
    public required TextWriter Log { get; init; }

    /// <summary>The environment the job reads (<c>DROVER_AGENT</c>, the root file system cache's directory).</summary>
    public required Func<string, string?> Environment { get; init; }

    public required ILoggerFactory Logging { get; init; }

    /// <summary>Hears the upload's progress; <see cref="UploadDone"/> is called when the upload ends.</summary>
    public IProgress<UploadProgress>? UploadProgress { get; init; }

    public Action? UploadDone { get; init; }

    /// <summary>Leave the servers, key and snapshot in place.</summary>
    public bool Keep { get; init; }

    /// <summary>
    /// The fleet's architecture: x86 (cx23 servers, SeaBIOS in the local cloud) or arm (an arm64 image imported through a
    /// cax11 rescue system, cax11 servers booting under UEFI, emulated and so several times slower).
    /// </summary>
    public Architecture Architecture { get; init; } = Architecture.X86;

    /// <summary>How many hosts the demo fleet has: 2 (demo-1, demo-2), or 1 (demo-1 alone: one emulated arm boot in CI).</summary>
    public int Hosts { get; init; } = 2;

    /// <summary>Also snapshot the first host converged and boot a third from it (a new instance).</summary>
    public bool SnapshotAndClone { get; init; }

    /// <summary>
    /// Also make a second version of the image (new bytes in free space of its root file system) and upload it as a delta
    /// over the first (<c>--base auto</c>); the servers then boot from that second snapshot.
    /// </summary>
    public bool Delta { get; init; }
}
