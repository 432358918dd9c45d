namespace Drover.Agent;

/// <summary>The files the agent reads and writes, as absolute paths inside the configured system.</summary>
public static class AgentPaths
{
    public const string Binary = "/usr/local/bin/drover-agent";
    public const string ConfigFile = "/etc/drover/agent.env";
    public const string MetadataJson = "/etc/hcloud-metadata.json";
    public const string UserData = "/etc/hcloud-userdata";

    /// <summary>A NoCloud drive's meta-data and network-config as JSON (with the device), written instead of <see cref="MetadataJson"/>.</summary>
    public const string NoCloudJson = "/etc/drover/nocloud.json";

    /// <summary>A NoCloud drive's user-data, written instead of <see cref="UserData"/>.</summary>
    public const string NoCloudUserData = "/etc/drover/nocloud-userdata";
    public const string Hostname = "/etc/hostname";
    public const string Hosts = "/etc/hosts";
    public const string RootSshDir = "/root/.ssh";
    public const string AuthorizedKeys = "/root/.ssh/authorized_keys";
    /// <summary>The default directory of the systemd-networkd units (<see cref="AgentOptions.NetworkDirectory"/>).</summary>
    public const string NetworkDir = "/etc/systemd/network";
    public const string PublicNetworkFile = "10-drover-public.network";
    public const string FlakeTarget = "/etc/nix-flake-target";
    public const string StateDir = "/var/lib/drover";
    public const string Marker = "/var/lib/drover/agent.done";
    public const string Status = "/var/lib/drover/status.json";

    /// <summary>
    /// Where the final line also goes, the first that exists: the second serial port on x86, and on arm (whose virt
    /// machine has one UART) the virtio-serial port the local cloud names <c>org.drover.markers</c>.
    /// </summary>
    public static readonly IReadOnlyList<string> MarkerConsoles = ["/dev/ttyS1", "/dev/virtio-ports/org.drover.markers"];
    public const string SystemdRunning = "/run/systemd/system";

    /// <summary>The SMBIOS system serial number: on Hetzner Cloud (and in the local cloud) the server's id, its instance-id.</summary>
    public const string DmiSerial = "/sys/class/dmi/id/product_serial";

    public const string SshDir = "/etc/ssh";
    public const string SshHostEd25519Key = "/etc/ssh/ssh_host_ed25519_key";

    /// <summary>The file name of a private network's networkd unit.</summary>
    public static string PrivateNetworkFile(int index, long? networkId) =>
        $"20-drover-private-{(networkId is { } id ? id.ToString(System.Globalization.CultureInfo.InvariantCulture) : index.ToString(System.Globalization.CultureInfo.InvariantCulture))}.network";
}
