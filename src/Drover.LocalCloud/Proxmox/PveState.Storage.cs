using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Drover.LocalCloud.Proxmox;

/// <summary>Storage content: listing, uploads (iso, vztmpl, import, with PVE's extension checks), deletion, snippets.</summary>
public sealed partial class PveState
{
    /// <summary>POST …/upload: checks content type and extension (400 <c>filename: wrong file extension</c>), then moves the spooled file in an <c>imgcopy</c> task.</summary>
    public PveTask Upload(string content, string filename, PveUpload upload, string? checksum, string? algorithm, string user)
    {
        var name = Normalise(filename);
        var ok = content switch
        {
            "iso" => IsoExtension().IsMatch(name),
            "vztmpl" => VztmplExtension().IsMatch(name),
            "import" => ImportExtension().IsMatch(name),
            _ => false,
        };
        if (!ok)
        {
            throw PveException.Parameter("filename", "wrong file extension");
        }
        if (checksum is not null && algorithm is null)
        {
            throw PveException.Parameter("checksum-algorithm", "missing checksum-algorithm");
        }
        var target = Path.Combine(Storage.Folder(content), name);
        return Tasks.Start("imgcopy", "", user, async task =>
        {
            task.Write($"starting file import from: {upload.TemporaryPath}");
            if (checksum is not null)
            {
                var actual = await HashAsync(upload.TemporaryPath, algorithm!);
                if (!string.Equals(actual, checksum.Trim(), StringComparison.OrdinalIgnoreCase))
                {
                    File.Delete(upload.TemporaryPath);
                    throw PveException.Failed($"checksum mismatch: got '{actual}' != expect '{checksum.Trim()}'");
                }
                task.Write("checksum verified");
            }
            task.Write($"target file: {target}");
            File.Move(upload.TemporaryPath, target, overwrite: true);
            task.Write($"file size is: {new FileInfo(target).Length}");
        });
    }

    /// <summary>PVE turns every character outside <c>[-a-zA-Z0-9_.]</c> of an uploaded file's name into <c>_</c>.</summary>
    private static string Normalise(string filename) => Unsafe().Replace(Path.GetFileName(filename), "_");

    private static async Task<string> HashAsync(string file, string algorithm)
    {
        await using var stream = File.OpenRead(file);
#pragma warning disable CA5350, CA5351 // the client names the algorithm (PVE accepts md5 and sha1 checksums too)
        byte[] hash = algorithm switch
        {
            "md5" => await MD5.HashDataAsync(stream),
            "sha1" => await SHA1.HashDataAsync(stream),
            "sha256" => await SHA256.HashDataAsync(stream),
            "sha384" => await SHA384.HashDataAsync(stream),
            "sha512" => await SHA512.HashDataAsync(stream),
            _ => throw PveException.Parameter("checksum-algorithm", $"unsupported checksum algorithm '{algorithm}'"),
        };
#pragma warning restore CA5350, CA5351
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>GET …/content: the volumes with <c>volid</c>, <c>content</c>, <c>format</c>, <c>size</c>, <c>ctime</c>, <c>vmid</c>.</summary>
    public JsonArray Content(string? content, long? vmid)
    {
        var items = new JsonArray();
        foreach (var (volid, type, file, owner) in Storage.List(content).Where(v => vmid is null || v.Vmid == vmid))
        {
            var info = new FileInfo(file);
            var extension = Path.GetExtension(file).TrimStart('.');
            var item = new JsonObject
            {
                ["volid"] = volid,
                ["content"] = type,
                ["format"] = type switch { "iso" => "iso", "snippets" => "snippet", "vztmpl" => "tgz", _ => extension },
                ["size"] = info.Length,
                ["ctime"] = new DateTimeOffset(info.LastWriteTimeUtc).ToUnixTimeSeconds(),
            };
            if (owner is { } id)
            {
                item["vmid"] = id;
            }
            items.Add(item);
        }
        return items;
    }

    /// <summary>DELETE …/content/{volume}: refuses a volume a VM uses, else removes the file (<c>imgdel</c> task).</summary>
    public PveTask DeleteContent(string volume, string user)
    {
        var volid = volume.Contains(':', StringComparison.Ordinal) ? volume : $"{PveStorage.Name}:{volume}";
        var (_, file, _) = Storage.Resolve(volid);
        if (!File.Exists(file))
        {
            throw PveException.Failed($"volume '{volid}' does not exist");
        }
        if (Vms().FirstOrDefault(v => v.Config.DriveKeys.Any(k => v.Config[k]!.StartsWith(volid + ",", StringComparison.Ordinal) || v.Config[k] == volid)) is { } user2)
        {
            throw PveException.Failed($"unable to delete volume '{volid}' - used by VM {user2.Vmid}");
        }
        // pve-storage forks this worker without an id (a volume ID holds ':', which a UPID cannot).
        return Tasks.Start("imgdel", "", user, task =>
        {
            File.Delete(file);
            task.Write($"Removed volume '{volid}'");
            return Task.CompletedTask;
        });
    }

    /// <summary>The local-only stand-in for the node's SSH: writes a snippet into <c>snippets/</c>.</summary>
    public string WriteSnippet(string name, byte[] content)
    {
        if (!SnippetName().IsMatch(name))
        {
            throw PveException.Parameter("name", "a snippet name is [-a-zA-Z0-9_.]+ and not . or ..");
        }
        Drover.Core.Files.AtomicFile.WriteAllBytes(Path.Combine(Storage.Folder("snippets"), name), content);
        return $"{PveStorage.Name}:snippets/{name}";
    }

    public bool DeleteSnippet(string name)
    {
        var file = Path.Combine(Storage.Folder("snippets"), name);
        if (!SnippetName().IsMatch(name) || !File.Exists(file))
        {
            return false;
        }
        File.Delete(file);
        return true;
    }

    [GeneratedRegex(@"[^-a-zA-Z0-9_.]")]
    private static partial Regex Unsafe();

    [GeneratedRegex(@"^(?!\.\.?$)[-a-zA-Z0-9_.]+$")]
    private static partial Regex SnippetName();

    [GeneratedRegex(@"\.(?:iso|img)$", RegexOptions.IgnoreCase)]
    private static partial Regex IsoExtension();

    [GeneratedRegex(@"\.tar(?:\.(?:gz|xz|zst|bz2))?$")]
    private static partial Regex VztmplExtension();

    [GeneratedRegex(@"\.(?:ova|qcow2|raw|vmdk)$")]
    private static partial Regex ImportExtension();
}
