using Drover.Proxmox;
using Drover.Proxmox.Snippets;
using Microsoft.Extensions.Logging;

namespace Drover.Demo;

/// <summary>What <see cref="ProxmoxMainJob"/> runs against and how (<c>drover demo --target proxmox</c>).</summary>
public sealed record ProxmoxMainJobOptions
{
    public required ProxmoxClient Client { get; init; }

    /// <summary>Where the hosts' user-data snippets go.</summary>
    public required ISnippetStore Snippets { get; init; }

    /// <summary>The node; unset: the cluster's only node.</summary>
    public string? Node { get; init; }

    /// <summary>The storage of the image, the disks and the snippets.</summary>
    public string Storage { get; init; } = "local";

    /// <summary>
    /// demo-2's static address on the bridge (<c>ADDRESS/PREFIX</c>), its gateway and DNS server; demo-1 takes DHCP.
    /// Null: both take DHCP.
    /// </summary>
    public (string Address, string Gateway, string Dns)? StaticNetwork { get; init; }

    public required string WorkDirectory { get; init; }

    public required string KnownHostsFile { get; init; }

    public required TextWriter Log { get; init; }

    public required Func<string, string?> Environment { get; init; }

    public required ILoggerFactory Logging { get; init; }

    /// <summary>Leave the VMs, the template and the snippets in place.</summary>
    public bool Keep { get; init; }

    /// <summary>Reads a VM's serial console (for errors), or null where there is none.</summary>
    public Func<int, CancellationToken, Task<string?>>? Console { get; init; }
}
