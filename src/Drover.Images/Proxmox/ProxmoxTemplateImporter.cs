using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Drover.Images.Scan;
using Drover.Images.Upload;
using Drover.Proxmox;
using Drover.Proxmox.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Drover.Images.Proxmox;

/// <summary>
/// Makes a Proxmox VE template of a disk image (<c>drover proxmox template</c>): checks the image's scan, hashes it,
/// reuses a template tagged with the same digest, uploads the image as <c>import</c> content (once per digest: the
/// volume is named after it), creates a VM that imports it as <c>scsi0</c> with a serial console, the guest agent, a
/// cloud-init drive and a virtio NIC, and converts it to a template. A VM it created is destroyed again on any failure.
/// </summary>
public sealed partial class ProxmoxTemplateImporter(ProxmoxClient client, ILogger? logger = null)
{
    /// <summary>The tag every template Drover makes carries.</summary>
    public const string DroverTag = "drover";

    /// <summary>The prefix of the digest tag: <c>drover-digest-</c> and the image's first 16 sha256 hex digits.</summary>
    public const string DigestTagPrefix = "drover-digest-";

    private static readonly TimeSpan _cleanupTimeout = TimeSpan.FromMinutes(3);
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>The digest tag of an image whose sha256 is <paramref name="sha256Hex"/>.</summary>
    public static string DigestTag(string sha256Hex) => DigestTagPrefix + sha256Hex[..16].ToLowerInvariant();

    /// <summary>Imports the image and returns the template (a new one, or the one that already had its digest).</summary>
    public async Task<ProxmoxTemplateResult> ImportAsync(ProxmoxTemplateOptions options, IProgress<string>? progress = null,
        IProgress<long>? bytes = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var format = DiskFormat(options.ImagePath);
        if (!File.Exists(options.ImagePath))
        {
            throw new ProxmoxTemplateException($"{options.ImagePath}: no such file");
        }
        var verdict = UploadScanGate.Check(options.ImagePath, options.ManifestPath, options.AllowUnscanned);
        if (verdict.Refusal is { } refusal)
        {
            throw new ProxmoxTemplateException("template refused: " + refusal);
        }
        if (verdict.Manifest?.Architecture is { } architecture && architecture != "x86")
        {
            throw new ProxmoxTemplateException($"{options.ImagePath} is an {architecture} image; Drover makes Proxmox templates of x86 images only");
        }
        CheckName(options.Name);
        var userTags = options.Tags.Select(t => t.ToLowerInvariant()).ToList();
        if (userTags.FirstOrDefault(t => !ProxmoxTags.IsValid(t)) is { } badTag)
        {
            throw new ProxmoxTemplateException($"'{badTag}' is not a Proxmox tag (letters, digits, '_', '-', '+', '.'; not starting with '-', '+' or '.')");
        }

        progress?.Report($"hashing {options.ImagePath}");
        var digest = await ImageDigest.OfFileAsync(options.ImagePath, bytes, cancellationToken);
        if (verdict.Manifest?.Sha256 is { } expected && !string.Equals(expected, digest, StringComparison.OrdinalIgnoreCase))
        {
            throw new ProxmoxTemplateException($"{options.ImagePath} changed after it was built: its sha256 is {digest}, its manifest ({verdict.ManifestPath}) says {expected}");
        }
        var digestTag = DigestTag(digest);
        var node = await ResolveNodeAsync(options.Node, cancellationToken);
        var diskStorage = options.DiskStorage ?? options.ImportStorage;
        await CheckStorageAsync(node, options.ImportStorage, StorageContent.Import, cancellationToken);
        await CheckStorageAsync(node, diskStorage, StorageContent.Images, cancellationToken);

        var existing = (await client.Cluster.ListVmsAsync(cancellationToken))
            .Where(vm => vm.Template == true && vm.TagList.Contains(digestTag, StringComparer.OrdinalIgnoreCase))
            .OrderBy(vm => vm.VmId)
            .FirstOrDefault();
        var importVolume = $"{options.ImportStorage}:import/drover-{digest[..16]}.{format}";
        if (existing is { VmId: { } existingId })
        {
            _logger.LogInformation("template {VmId} on {Node} already holds image {Digest}", existingId, existing.Node, digest);
            progress?.Report($"template {existingId} on {existing.Node} already holds this image (tag {digestTag})"
                + (options.VmId is { } asked && asked != existingId ? $"; VMID {asked} was not used" : "")
                + (options.Node is { } askedNode && askedNode != existing.Node ? $"; node {askedNode} was not used" : ""));
            return new ProxmoxTemplateResult
            {
                VmId = existingId,
                Node = existing.Node ?? node,
                Name = existing.Name ?? "",
                Digest = digest,
                ImportVolume = importVolume,
                Reused = true,
                Tags = existing.TagList,
            };
        }

        if (options.VmId is { } wanted)
        {
            await ReserveVmIdAsync(wanted, cancellationToken); // fail before a long upload
        }
        var uploaded = await EnsureImportVolumeAsync(node, options, format, digest, importVolume, progress, bytes, cancellationToken);
        // /cluster/nextid reserves nothing: ask after the upload, which may have taken minutes.
        var vmid = options.VmId is { } given ? await ReserveVmIdAsync(given, cancellationToken) : await client.Cluster.NextIdAsync(cancellationToken: cancellationToken);
        var name = options.Name ?? DefaultName(options.ImagePath);
        var tags = new List<string> { DroverTag, digestTag };
        tags.AddRange(userTags.Where(t => !tags.Contains(t)));
        var settings = new VmSettings
        {
            Name = name,
            Memory = options.Memory,
            Cores = options.Cores,
            OsType = "l26",
            ScsiHw = "virtio-scsi-single",
            Agent = "enabled=1",
            Boot = "order=scsi0",
            Vga = "serial0",
            Tags = tags,
            Description = $"Made by drover from {Path.GetFileName(options.ImagePath)}\nsha256: {digest}",
            Devices = new Dictionary<string, string>
            {
                ["scsi0"] = $"{diskStorage}:0,import-from={importVolume}",
                ["ide2"] = $"{diskStorage}:cloudinit",
                ["net0"] = $"virtio,bridge={options.Bridge}",
                ["serial0"] = "socket",
            },
        };

        progress?.Report($"creating VM {vmid} ({name}) on {node}");
        Upid? running = null;
        try
        {
            var create = await client.Qemu.CreateAsync(node, new CreateVmRequest { VmId = vmid, Settings = settings }, cancellationToken);
            running = create;
            await client.Tasks.WaitAsync(create, options.TaskTimeout, cancellationToken: cancellationToken);
            progress?.Report($"converting VM {vmid} to a template");
            var template = await client.Qemu.ConvertToTemplateAsync(node, vmid, cancellationToken: cancellationToken);
            running = template;
            await client.Tasks.WaitAsync(template, options.TaskTimeout, cancellationToken: cancellationToken);
        }
        catch (ProxmoxApiException e) when (e.IsAlreadyExists && running is null)
        {
            throw new ProxmoxTemplateException(options.VmId is null
                ? $"VM {vmid} was taken by someone else between asking for a free VMID and creating it; run again"
                : $"VM {vmid} was taken by someone else while the image was uploading; choose another VMID", e);
        }
        catch (Exception e) when (e is not ProxmoxTemplateException)
        {
            // The create may have been accepted even if its answer never came: destroy the VM if it is this import's.
            await DestroyIfOursAsync(node, vmid, digestTag, running);
            throw;
        }
        _logger.LogInformation("made template {VmId} ({Name}) on {Node} from {Digest}", vmid, name, node, digest);
        return new ProxmoxTemplateResult
        {
            VmId = vmid,
            Node = node,
            Name = name,
            Digest = digest,
            ImportVolume = importVolume,
            Uploaded = uploaded,
            Tags = tags,
        };
    }

    /// <summary><c>raw</c> or <c>qcow2</c> from the file name; anything else is refused.</summary>
    internal static string DiskFormat(string imagePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(imagePath);
        var lower = imagePath.ToLowerInvariant();
        if (lower.EndsWith(".raw", StringComparison.Ordinal) || lower.EndsWith(".img", StringComparison.Ordinal))
        {
            return "raw";
        }
        if (lower.EndsWith(".qcow2", StringComparison.Ordinal))
        {
            return "qcow2";
        }
        var hint = lower.EndsWith(".zst", StringComparison.Ordinal) || lower.EndsWith(".xz", StringComparison.Ordinal) || lower.EndsWith(".gz", StringComparison.Ordinal)
            ? "; decompress it first (Proxmox imports raw and qcow2 disks)"
            : "";
        throw new ProxmoxTemplateException($"{imagePath}: not a .raw, .img or .qcow2 disk image{hint}");
    }

    /// <summary><c>drover-</c> and the file name without its extension, made a DNS label.</summary>
    internal static string DefaultName(string imagePath)
    {
        var stem = Path.GetFileName(imagePath);
        var dot = stem.IndexOf('.', StringComparison.Ordinal);
        stem = dot > 0 ? stem[..dot] : stem;
        var label = NonDnsChars().Replace(stem.ToLowerInvariant(), "-").Trim('-');
        var name = label.Length == 0 ? "drover-image" : "drover-" + label;
        return name.Length > 63 ? name[..63].TrimEnd('-') : name;
    }

    private static void CheckName(string? name)
    {
        if (name is not null && !DnsName().IsMatch(name))
        {
            throw new ProxmoxTemplateException($"'{name}' is not a valid VM name (a DNS name: letters, digits, '-' and '.')");
        }
    }

    private async Task<string> ResolveNodeAsync(string? node, CancellationToken cancellationToken)
    {
        var nodes = await client.Nodes.ListAsync(cancellationToken);
        if (node is null)
        {
            return nodes.Count == 1
                ? nodes[0].Node
                : throw new ProxmoxTemplateException($"the cluster has {nodes.Count} nodes ({string.Join(", ", nodes.Select(n => n.Node))}); name the node");
        }
        if (!nodes.Any(n => n.Node == node))
        {
            throw new ProxmoxTemplateException($"node '{node}' is not in the cluster (its nodes: {string.Join(", ", nodes.Select(n => n.Node))})");
        }
        return node;
    }

    private async Task CheckStorageAsync(string node, string storage, string content, CancellationToken cancellationToken)
    {
        var summary = await client.Storage.GetAsync(node, storage, cancellationToken);
        if (summary is null)
        {
            var all = await client.Storage.ListAsync(node, cancellationToken: cancellationToken);
            throw new ProxmoxTemplateException($"storage '{storage}' is not on node '{node}' (its storages: {string.Join(", ", all.Select(s => s.Storage))})");
        }
        if (!summary.ContentTypes.Contains(content))
        {
            throw new ProxmoxTemplateException($"storage '{storage}' on node '{node}' does not hold '{content}' content (it holds: {summary.Content}); enable it in the storage's configuration or choose another storage");
        }
    }

    private async Task<int> ReserveVmIdAsync(int vmid, CancellationToken cancellationToken)
    {
        try
        {
            return await client.Cluster.NextIdAsync(vmid, cancellationToken);
        }
        catch (ProxmoxApiException e) when (e.StatusCode == HttpStatusCode.BadRequest)
        {
            var why = e.ParameterErrors.TryGetValue("vmid", out var text) ? text : e.Reason;
            throw new ProxmoxTemplateException($"VMID {vmid.ToString(CultureInfo.InvariantCulture)} cannot be used: {why}", e);
        }
    }

    private async Task<bool> EnsureImportVolumeAsync(string node, ProxmoxTemplateOptions options, string format, string digest,
        string importVolume, IProgress<string>? progress, IProgress<long>? bytes, CancellationToken cancellationToken)
    {
        var content = await client.Storage.ListContentAsync(node, options.ImportStorage, StorageContent.Import, cancellationToken);
        if (content.Any(c => c.VolId == importVolume))
        {
            progress?.Report($"{importVolume} is already on the storage");
            return false;
        }
        progress?.Report($"uploading {options.ImagePath} to {importVolume}");
        await using var file = new FileStream(options.ImagePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan | FileOptions.Asynchronous);
        var request = new UploadFileRequest
        {
            Content = StorageContent.Import,
            FileName = $"drover-{digest[..16]}.{format}",
            Checksum = digest,
            ChecksumAlgorithm = ChecksumAlgorithm.Sha256,
        };
        var upload = await client.Storage.UploadAsync(node, options.ImportStorage, request, file, bytes, cancellationToken);
        await client.Tasks.WaitAsync(upload, options.TaskTimeout, cancellationToken: cancellationToken);
        return true;
    }

    /// <summary>
    /// Destroys the VM this import created, with its own time limit (never the failed operation's token): after its
    /// running task (if any) ended, and only if it carries this image's digest tag (an id someone else took stays).
    /// </summary>
    private async Task DestroyIfOursAsync(string node, int vmid, string digestTag, Upid? running)
    {
        using var cts = new CancellationTokenSource(_cleanupTimeout);
        try
        {
            if (running is not null)
            {
                try
                {
                    await client.Tasks.WaitAsync(running, _cleanupTimeout, cancellationToken: cts.Token);
                }
                catch (Exception e) when (e is ProxmoxTaskFailedException or ProxmoxTaskTimeoutException)
                {
                }
            }
            var config = await client.Qemu.GetConfigAsync(node, vmid, cancellationToken: cts.Token);
            if (!ProxmoxTags.Parse(config.Raw.GetValueOrDefault("tags")).Contains(digestTag))
            {
                return;
            }
            if (await client.Qemu.GetStatusAsync(node, vmid, cts.Token) is { Status: "running" })
            {
                await client.Tasks.WaitAsync(await client.Qemu.StopAsync(node, vmid, cancellationToken: cts.Token), _cleanupTimeout, cancellationToken: cts.Token);
            }
            var delete = await client.Qemu.DeleteAsync(node, vmid, purge: true, destroyUnreferencedDisks: true, cts.Token);
            await client.Tasks.WaitAsync(delete, _cleanupTimeout, cancellationToken: cts.Token);
            _logger.LogInformation("destroyed the half-made VM {VmId}", vmid);
        }
        catch (ProxmoxApiException e) when (e.IsNotFound)
        {
            _logger.LogInformation("VM {VmId} is gone already", vmid);
        }
        catch (Exception e) when (e is ProxmoxApiException or ProxmoxTaskFailedException or ProxmoxTaskTimeoutException or HttpRequestException or TimeoutException or OperationCanceledException)
        {
            _logger.LogError("could not destroy the half-made VM {VmId} on {Node}: {Error}; destroy it in Proxmox", vmid, node, e.Message);
        }
    }

    [GeneratedRegex("[^a-z0-9-]+")]
    private static partial Regex NonDnsChars();

    [GeneratedRegex(@"^(?=.{1,63}$)[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*$")]
    private static partial Regex DnsName();
}
