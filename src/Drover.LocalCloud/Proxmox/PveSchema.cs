namespace Drover.LocalCloud.Proxmox;

/// <summary>
/// The parameters of the Proxmox API methods the local Proxmox serves, written from the schema subset
/// (pve-api-subset.json, apidata of pve-docs 9.1.3): names, types, required flags, bounds, enumerations, and the few
/// formats and patterns that are cheap to check. Keyed by <c>"METHOD /path/{template}"</c>.
/// </summary>
internal static class PveSchema
{
    /// <summary>The VM configuration keys create and config POST/PUT share.</summary>
    private static readonly PveParam[] _vmKeys =
    [
        new("acpi", PveType.Boolean),
        new("affinity", PveType.String),
        new("agent", PveType.String),
        new("allow-ksm", PveType.Boolean),
        new("amd-sev", PveType.String),
        new("arch", PveType.Enum, Enum: ["x86_64", "aarch64"]),
        new("args", PveType.String),
        new("audio0", PveType.String),
        new("autostart", PveType.Boolean),
        new("balloon", PveType.Integer, Min: 0),
        new("bios", PveType.Enum, Enum: ["seabios", "ovmf"]),
        new("boot", PveType.String),
        new("bootdisk", PveType.String, Pattern: @"(ide|sata|scsi|virtio)\d+"),
        new("cdrom", PveType.String),
        new("cicustom", PveType.String),
        new("cipassword", PveType.String),
        new("citype", PveType.Enum, Enum: ["configdrive2", "nocloud", "opennebula"]),
        new("ciupgrade", PveType.Boolean),
        new("ciuser", PveType.String),
        new("cores", PveType.Integer, Min: 1),
        new("cpu", PveType.String),
        new("cpulimit", PveType.Number, Min: 0, Max: 128),
        new("cpuunits", PveType.Integer, Min: 1, Max: 262144),
        new("description", PveType.String, MaxLength: 8192),
        new("efidisk0", PveType.String),
        new("force", PveType.Boolean),
        new("freeze", PveType.Boolean),
        new("hookscript", PveType.String),
        new("hostpci[n]", PveType.String),
        new("hotplug", PveType.String),
        new("hugepages", PveType.Enum, Enum: ["any", "2", "1024"]),
        new("ide[n]", PveType.String),
        new("intel-tdx", PveType.String),
        new("ipconfig[n]", PveType.String),
        new("ivshmem", PveType.String),
        new("keephugepages", PveType.Boolean),
        new("keyboard", PveType.Enum, Enum: ["de", "de-ch", "da", "en-gb", "en-us", "es", "fi", "fr", "fr-be", "fr-ca", "fr-ch", "hu", "is", "it", "ja", "lt", "mk", "nl", "no", "pl", "pt", "pt-br", "sv", "sl", "tr"]),
        new("kvm", PveType.Boolean),
        new("localtime", PveType.Boolean),
        new("lock", PveType.Enum, Enum: ["backup", "clone", "create", "migrate", "rollback", "snapshot", "snapshot-delete", "suspending", "suspended"]),
        new("machine", PveType.String),
        new("memory", PveType.String),
        new("migrate_downtime", PveType.Number, Min: 0),
        new("migrate_speed", PveType.Integer, Min: 0),
        new("name", PveType.String, Format: "dns-name"),
        new("nameserver", PveType.String),
        new("net[n]", PveType.String),
        new("node", PveType.String, Required: true),
        new("numa", PveType.Boolean),
        new("numa[n]", PveType.String),
        new("onboot", PveType.Boolean),
        new("ostype", PveType.Enum, Enum: ["other", "wxp", "w2k", "w2k3", "w2k8", "wvista", "win7", "win8", "win10", "win11", "l24", "l26", "solaris"]),
        new("parallel[n]", PveType.String, Pattern: @"/dev/parport\d+|/dev/usb/lp\d+"),
        new("protection", PveType.Boolean),
        new("reboot", PveType.Boolean),
        new("rng0", PveType.String),
        new("sata[n]", PveType.String),
        new("scsi[n]", PveType.String),
        new("scsihw", PveType.Enum, Enum: ["lsi", "lsi53c810", "virtio-scsi-pci", "virtio-scsi-single", "megasas", "pvscsi"]),
        new("searchdomain", PveType.String),
        new("serial[n]", PveType.String, Pattern: @"(/dev/.+|socket)"),
        new("shares", PveType.Integer, Min: 0, Max: 50000),
        new("smbios1", PveType.String, MaxLength: 512),
        new("smp", PveType.Integer, Min: 1),
        new("sockets", PveType.Integer, Min: 1),
        new("spice_enhancements", PveType.String),
        new("sshkeys", PveType.String, Format: "urlencoded"),
        new("startdate", PveType.String, Pattern: @"(now|\d{4}-\d{1,2}-\d{1,2}(T\d{1,2}:\d{1,2}:\d{1,2})?)"),
        new("startup", PveType.String),
        new("tablet", PveType.Boolean),
        new("tags", PveType.String, Format: "pve-tag-list"),
        new("tdf", PveType.Boolean),
        new("template", PveType.Boolean),
        new("tpmstate0", PveType.String),
        new("unused[n]", PveType.String),
        new("usb[n]", PveType.String),
        new("vcpus", PveType.Integer, Min: 1),
        new("vga", PveType.String),
        new("virtio[n]", PveType.String),
        new("virtiofs[n]", PveType.String),
        new("vmgenid", PveType.String, Pattern: @"(?:[a-fA-F0-9]{8}(?:-[a-fA-F0-9]{4}){3}-[a-fA-F0-9]{12}|[01])"),
        new("vmid", PveType.Integer, Required: true, Min: 100, Max: 999999999),
        new("vmstatestorage", PveType.String),
        new("watchdog", PveType.String),
    ];

    public static readonly IReadOnlyDictionary<string, PveParam[]> Routes = new Dictionary<string, PveParam[]>
    {
        ["GET /version"] =
        [
        ],
        ["GET /cluster/nextid"] =
        [
            new("vmid", PveType.Integer, Min: 100, Max: 999999999),
        ],
        ["GET /cluster/resources"] =
        [
            new("type", PveType.Enum, Enum: ["vm", "storage", "node", "sdn"]),
        ],
        ["GET /nodes"] =
        [
        ],
        ["GET /nodes/{node}/status"] =
        [
            new("node", PveType.String, Required: true),
        ],
        ["POST /access/ticket"] =
        [
            new("new-format", PveType.Boolean),
            new("otp", PveType.String),
            new("password", PveType.String, Required: true),
            new("path", PveType.String, MaxLength: 64),
            new("privs", PveType.String, MaxLength: 64),
            new("realm", PveType.String, MaxLength: 32),
            new("tfa-challenge", PveType.String),
            new("username", PveType.String, Required: true, MaxLength: 64),
        ],
        ["GET /nodes/{node}/qemu"] =
        [
            new("full", PveType.Boolean),
            new("node", PveType.String, Required: true),
        ],
        ["POST /nodes/{node}/qemu"] =
        [
            .. _vmKeys,
            new("archive", PveType.String, MaxLength: 255),
            new("bwlimit", PveType.Integer, Min: 0),
            new("ha-managed", PveType.Boolean),
            new("import-working-storage", PveType.String),
            new("live-restore", PveType.Boolean),
            new("pool", PveType.String),
            new("start", PveType.Boolean),
            new("storage", PveType.String),
            new("unique", PveType.Boolean),
        ],
        ["DELETE /nodes/{node}/qemu/{vmid}"] =
        [
            new("destroy-unreferenced-disks", PveType.Boolean),
            new("node", PveType.String, Required: true),
            new("purge", PveType.Boolean),
            new("skiplock", PveType.Boolean),
            new("vmid", PveType.Integer, Required: true, Min: 100, Max: 999999999),
        ],
        ["GET /nodes/{node}/qemu/{vmid}"] =
        [
            new("node", PveType.String, Required: true),
            new("vmid", PveType.Integer, Required: true, Min: 100, Max: 999999999),
        ],
        ["POST /nodes/{node}/qemu/{vmid}/clone"] =
        [
            new("bwlimit", PveType.Integer, Min: 0),
            new("description", PveType.String),
            new("format", PveType.Enum, Enum: ["raw", "qcow2", "vmdk"]),
            new("full", PveType.Boolean),
            new("name", PveType.String, Format: "dns-name"),
            new("newid", PveType.Integer, Required: true, Min: 100, Max: 999999999),
            new("node", PveType.String, Required: true),
            new("pool", PveType.String),
            new("snapname", PveType.String, MaxLength: 40),
            new("storage", PveType.String),
            new("target", PveType.String),
            new("vmid", PveType.Integer, Required: true, Min: 100, Max: 999999999),
        ],
        ["GET /nodes/{node}/qemu/{vmid}/config"] =
        [
            new("current", PveType.Boolean),
            new("node", PveType.String, Required: true),
            new("snapshot", PveType.String, MaxLength: 40),
            new("vmid", PveType.Integer, Required: true, Min: 100, Max: 999999999),
        ],
        ["POST /nodes/{node}/qemu/{vmid}/config"] =
        [
            .. _vmKeys,
            new("background_delay", PveType.Integer, Min: 1, Max: 30),
            new("delete", PveType.String),
            new("digest", PveType.String, MaxLength: 40),
            new("import-working-storage", PveType.String),
            new("revert", PveType.String),
            new("skiplock", PveType.Boolean),
        ],
        ["PUT /nodes/{node}/qemu/{vmid}/config"] =
        [
            .. _vmKeys,
            new("delete", PveType.String),
            new("digest", PveType.String, MaxLength: 40),
            new("revert", PveType.String),
            new("skiplock", PveType.Boolean),
        ],
        ["POST /nodes/{node}/qemu/{vmid}/template"] =
        [
            new("disk", PveType.Enum, Enum: ["ide0", "ide1", "ide2", "ide3", "scsi0", "scsi1", "scsi2", "scsi3", "scsi4", "scsi5", "scsi6", "scsi7", "scsi8", "scsi9", "scsi10", "scsi11", "scsi12", "scsi13", "scsi14", "scsi15", "scsi16", "scsi17", "scsi18", "scsi19", "scsi20", "scsi21", "scsi22", "scsi23", "scsi24", "scsi25", "scsi26", "scsi27", "scsi28", "scsi29", "scsi30", "virtio0", "virtio1", "virtio2", "virtio3", "virtio4", "virtio5", "virtio6", "virtio7", "virtio8", "virtio9", "virtio10", "virtio11", "virtio12", "virtio13", "virtio14", "virtio15", "sata0", "sata1", "sata2", "sata3", "sata4", "sata5", "efidisk0", "tpmstate0"]),
            new("node", PveType.String, Required: true),
            new("vmid", PveType.Integer, Required: true, Min: 100, Max: 999999999),
        ],
        ["PUT /nodes/{node}/qemu/{vmid}/resize"] =
        [
            new("digest", PveType.String, MaxLength: 40),
            new("disk", PveType.Enum, Required: true, Enum: ["ide0", "ide1", "ide2", "ide3", "scsi0", "scsi1", "scsi2", "scsi3", "scsi4", "scsi5", "scsi6", "scsi7", "scsi8", "scsi9", "scsi10", "scsi11", "scsi12", "scsi13", "scsi14", "scsi15", "scsi16", "scsi17", "scsi18", "scsi19", "scsi20", "scsi21", "scsi22", "scsi23", "scsi24", "scsi25", "scsi26", "scsi27", "scsi28", "scsi29", "scsi30", "virtio0", "virtio1", "virtio2", "virtio3", "virtio4", "virtio5", "virtio6", "virtio7", "virtio8", "virtio9", "virtio10", "virtio11", "virtio12", "virtio13", "virtio14", "virtio15", "sata0", "sata1", "sata2", "sata3", "sata4", "sata5", "efidisk0", "tpmstate0"]),
            new("node", PveType.String, Required: true),
            new("size", PveType.String, Required: true, Pattern: @"\+?\d+(\.\d+)?[KMGT]?"),
            new("skiplock", PveType.Boolean),
            new("vmid", PveType.Integer, Required: true, Min: 100, Max: 999999999),
        ],
        ["GET /nodes/{node}/qemu/{vmid}/status/current"] =
        [
            new("node", PveType.String, Required: true),
            new("vmid", PveType.Integer, Required: true, Min: 100, Max: 999999999),
        ],
        ["POST /nodes/{node}/qemu/{vmid}/status/start"] =
        [
            new("force-cpu", PveType.String),
            new("machine", PveType.String),
            new("migratedfrom", PveType.String),
            new("migration_network", PveType.String),
            new("migration_type", PveType.Enum, Enum: ["secure", "insecure"]),
            new("nets-host-mtu", PveType.String, Pattern: @"net\d+=\d+(,net\d+=\d+)*"),
            new("node", PveType.String, Required: true),
            new("skiplock", PveType.Boolean),
            new("stateuri", PveType.String, MaxLength: 128),
            new("targetstorage", PveType.String),
            new("timeout", PveType.Integer, Min: 0),
            new("vmid", PveType.Integer, Required: true, Min: 100, Max: 999999999),
            new("with-conntrack-state", PveType.Boolean),
        ],
        ["POST /nodes/{node}/qemu/{vmid}/status/stop"] =
        [
            new("keepActive", PveType.Boolean),
            new("migratedfrom", PveType.String),
            new("node", PveType.String, Required: true),
            new("overrule-shutdown", PveType.Boolean),
            new("skiplock", PveType.Boolean),
            new("timeout", PveType.Integer, Min: 0),
            new("vmid", PveType.Integer, Required: true, Min: 100, Max: 999999999),
        ],
        ["POST /nodes/{node}/qemu/{vmid}/status/shutdown"] =
        [
            new("forceStop", PveType.Boolean),
            new("keepActive", PveType.Boolean),
            new("node", PveType.String, Required: true),
            new("skiplock", PveType.Boolean),
            new("timeout", PveType.Integer, Min: 0),
            new("vmid", PveType.Integer, Required: true, Min: 100, Max: 999999999),
        ],
        ["POST /nodes/{node}/qemu/{vmid}/status/reboot"] =
        [
            new("node", PveType.String, Required: true),
            new("timeout", PveType.Integer, Min: 0),
            new("vmid", PveType.Integer, Required: true, Min: 100, Max: 999999999),
        ],
        ["GET /nodes/{node}/qemu/{vmid}/cloudinit"] =
        [
            new("node", PveType.String, Required: true),
            new("vmid", PveType.Integer, Required: true, Min: 100, Max: 999999999),
        ],
        ["PUT /nodes/{node}/qemu/{vmid}/cloudinit"] =
        [
            new("node", PveType.String, Required: true),
            new("vmid", PveType.Integer, Required: true, Min: 100, Max: 999999999),
        ],
        ["GET /nodes/{node}/qemu/{vmid}/cloudinit/dump"] =
        [
            new("node", PveType.String, Required: true),
            new("type", PveType.Enum, Required: true, Enum: ["user", "network", "meta"]),
            new("vmid", PveType.Integer, Required: true, Min: 100, Max: 999999999),
        ],
        ["GET /nodes/{node}/qemu/{vmid}/agent/network-get-interfaces"] =
        [
            new("node", PveType.String, Required: true),
            new("vmid", PveType.Integer, Required: true, Min: 100, Max: 999999999),
        ],
        ["POST /nodes/{node}/qemu/{vmid}/agent/ping"] =
        [
            new("node", PveType.String, Required: true),
            new("vmid", PveType.Integer, Required: true, Min: 100, Max: 999999999),
        ],
        ["GET /nodes/{node}/tasks"] =
        [
            new("errors", PveType.Boolean),
            new("limit", PveType.Integer, Min: 0),
            new("node", PveType.String, Required: true),
            new("since", PveType.Integer),
            new("source", PveType.Enum, Enum: ["archive", "active", "all"]),
            new("start", PveType.Integer, Min: 0),
            new("statusfilter", PveType.String),
            new("typefilter", PveType.String),
            new("until", PveType.Integer),
            new("userfilter", PveType.String),
            new("vmid", PveType.Integer, Min: 100, Max: 999999999),
        ],
        ["GET /nodes/{node}/tasks/{upid}/status"] =
        [
            new("node", PveType.String, Required: true),
            new("upid", PveType.String, Required: true),
        ],
        ["GET /nodes/{node}/tasks/{upid}/log"] =
        [
            new("download", PveType.Boolean),
            new("limit", PveType.Integer, Min: 0),
            new("node", PveType.String, Required: true),
            new("start", PveType.Integer, Min: 0),
            new("upid", PveType.String, Required: true),
        ],
        ["GET /nodes/{node}/storage"] =
        [
            new("content", PveType.String),
            new("enabled", PveType.Boolean),
            new("format", PveType.Boolean),
            new("node", PveType.String, Required: true),
            new("storage", PveType.String),
            new("target", PveType.String),
        ],
        ["GET /nodes/{node}/storage/{storage}/status"] =
        [
            new("node", PveType.String, Required: true),
            new("storage", PveType.String, Required: true),
        ],
        ["GET /nodes/{node}/storage/{storage}/content"] =
        [
            new("content", PveType.String),
            new("node", PveType.String, Required: true),
            new("storage", PveType.String, Required: true),
            new("vmid", PveType.Integer, Min: 100, Max: 999999999),
        ],
        ["DELETE /nodes/{node}/storage/{storage}/content/{volume}"] =
        [
            new("delay", PveType.Integer, Min: 1, Max: 30),
            new("node", PveType.String, Required: true),
            new("storage", PveType.String),
            new("volume", PveType.String, Required: true),
        ],
        ["GET /nodes/{node}/storage/{storage}/content/{volume}"] =
        [
            new("node", PveType.String, Required: true),
            new("storage", PveType.String),
            new("volume", PveType.String, Required: true),
        ],
        ["POST /nodes/{node}/storage/{storage}/upload"] =
        [
            new("checksum", PveType.String),
            new("checksum-algorithm", PveType.Enum, Enum: ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"]),
            new("content", PveType.Enum, Required: true, Enum: ["iso", "vztmpl", "import"]),
            new("filename", PveType.String, Required: true, MaxLength: 255),
            new("node", PveType.String, Required: true),
            new("storage", PveType.String, Required: true),
            new("tmpfilename", PveType.String, Pattern: @"/var/tmp/pveupload-[0-9a-f]+"),
        ],
    };

    /// <summary>The largest index of each numbered parameter family (<c>net[n]</c>: net0 … net31), as qemu-server allows.</summary>
    public static readonly IReadOnlyDictionary<string, int> MaxIndex = new Dictionary<string, int>
    {
        ["scsi"] = 30,
        ["ide"] = 3,
        ["sata"] = 5,
        ["virtio"] = 15,
        ["net"] = 31,
        ["ipconfig"] = 31,
        ["serial"] = 3,
        ["unused"] = 255,
        ["usb"] = 4,
        ["hostpci"] = 15,
        ["numa"] = 7,
        ["parallel"] = 2,
        ["virtiofs"] = 9,
    };
}
