using System.Text.RegularExpressions;

namespace Drover.LocalCloud.Proxmox;

/// <summary>
/// The node's one storage, <c>local</c>: a directory storage laid out as PVE lays out <c>/var/lib/vz</c>
/// (<c>template/iso</c>, <c>template/cache</c>, <c>snippets</c>, <c>import</c>, <c>images/VMID/</c>), and the mapping
/// between volume IDs (<c>local:iso/x.iso</c>, <c>local:100/vm-100-disk-0.raw</c>,
/// <c>local:100/base-100-disk-0.raw/101/vm-101-disk-0.qcow2</c>) and files.
/// </summary>
public sealed partial class PveStorage
{
    public const string Name = "local";
    public const string Content = "iso,vztmpl,snippets,import,images,rootdir";

    private static readonly string[] _contentTypes = ["iso", "vztmpl", "snippets", "import"];

    public PveStorage(string path)
    {
        Path = path;
        foreach (var folder in new[] { "template/iso", "template/cache", "snippets", "import", "images" })
        {
            Directory.CreateDirectory(System.IO.Path.Combine(path, folder));
        }
    }

    public string Path { get; }

    /// <summary>Where uploads are spooled before they move into place (PVE: /var/tmp/pveupload-*).</summary>
    public string SpoolDirectory => System.IO.Path.Combine(Path, ".uploads");

    /// <summary>The folder of a content type.</summary>
    public string Folder(string content) => System.IO.Path.Combine(Path, content switch
    {
        "iso" => "template/iso",
        "vztmpl" => "template/cache",
        "snippets" => "snippets",
        "import" => "import",
        _ => "images",
    });

    /// <summary>The content type and file of a volume ID of this storage, or a PVE-style error.</summary>
    public (string Content, string File, long? Vmid) Resolve(string volid)
    {
        var colon = volid.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            throw PveException.Failed($"unable to parse volume ID '{volid}'");
        }
        var (storage, name) = (volid[..colon], volid[(colon + 1)..]);
        if (storage != Name)
        {
            throw PveException.Failed($"storage '{storage}' does not exist");
        }
        if (ContentVolume().Match(name) is { Success: true } content)
        {
            var type = content.Groups[1].Value;
            return (type, System.IO.Path.Combine(Folder(type), content.Groups[2].Value), null);
        }
        if (ImageVolume().Match(name) is { Success: true } image)
        {
            var vmid = long.Parse(image.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture);
            return ("images", ImageFile(vmid, image.Groups[4].Value), vmid);
        }
        throw PveException.Failed($"unable to parse directory volume name '{name}'");
    }

    public string ImageFile(long vmid, string file) => System.IO.Path.Combine(Path, "images", vmid.ToString(System.Globalization.CultureInfo.InvariantCulture), file);

    /// <summary>The volumes of one content type (or all) with their sizes, as <c>GET …/content</c> lists them.</summary>
    public IEnumerable<(string Volid, string Content, string File, long? Vmid)> List(string? content)
    {
        foreach (var type in _contentTypes.Where(t => content is null || content == t))
        {
            foreach (var file in Directory.EnumerateFiles(Folder(type)).Order(StringComparer.Ordinal))
            {
                yield return ($"{Name}:{type}/{System.IO.Path.GetFileName(file)}", type, file, null);
            }
        }
        if (content is null or "images")
        {
            foreach (var directory in Directory.EnumerateDirectories(System.IO.Path.Combine(Path, "images")).Order(StringComparer.Ordinal))
            {
                if (!long.TryParse(System.IO.Path.GetFileName(directory), out var vmid))
                {
                    continue;
                }
                foreach (var file in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
                {
                    yield return ($"{Name}:{vmid}/{System.IO.Path.GetFileName(file)}", "images", file, vmid);
                }
            }
        }
    }

    [GeneratedRegex(@"^(iso|vztmpl|snippets|import)/([^/]+)$")]
    private static partial Regex ContentVolume();

    // VMID/file or (linked clones) BASEVMID/base-file/VMID/file.
    [GeneratedRegex(@"^(?:(\d+)/(base-\d+-[^/]+)/)?(\d+)/([^/]+)$")]
    private static partial Regex ImageVolume();
}
