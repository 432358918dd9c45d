using System.Buffers.Binary;
using System.Text.Json;
using Drover.Images.Build;

namespace Drover.Images.Scan;

/// <summary>
/// Scans a disk image file: each ext2/3/4 file system (in an MBR or GPT partition, or the whole file) is copied out with
/// <c>debugfs -R "rdump / DIR" "IMAGE?offset=BYTES"</c>, each FAT file system (an EFI system partition) with mtools'
/// <c>mcopy -s -i IMAGE@@BYTES</c> (no root, no loop device, no mount), and given to
/// <see cref="SecretScanner.ScanDirectory"/>. qcow2 images are converted to a sparse raw file first (<c>qemu-img</c>).
/// A partition with a file system the scanner cannot read makes the result "not scanned" with the reason.
/// </summary>
public static class RawImageScanner
{
    /// <summary>GPT partition types that hold no file system: BIOS boot.</summary>
    private static readonly HashSet<string> _noFileSystemTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "21686148-6449-6E6F-744E-656564454649", "5", "f", "85", "0",
    };

    public static async Task<ImageScan> ScanRawImageAsync(string imagePath, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(imagePath);
        if (!File.Exists(imagePath))
        {
            throw new FileNotFoundException($"{imagePath}: no such image file", imagePath);
        }
        var head = new byte[512];
        int read;
        await using (var f = File.OpenRead(imagePath))
        {
            read = await f.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);
        }
        var compression = ImageMagic.DetectCompression(head.AsSpan(0, read));
        if (compression != ImageCompression.None)
        {
            return new ImageScan(false, [], $"{Path.GetFileName(imagePath)} is {compression.ToString().ToLowerInvariant()}-compressed: scan the uncompressed image");
        }
        if (!ImageMagic.IsQcow2(head.AsSpan(0, read)))
        {
            return await ScanPartitionsAsync(imagePath, cancellationToken);
        }
        if (Tool.Find("qemu-img") is null)
        {
            return new ImageScan(false, [], "qcow2 image and no qemu-img to convert it (apt-get install qemu-utils)");
        }
        var raw = Path.Combine(Path.GetTempPath(), $"drover-scan-{Guid.NewGuid():N}.raw");
        try
        {
            await Tool.CheckAsync("scan", "qemu-img", ["convert", "-q", "-O", "raw", imagePath, raw], cancellationToken);
            return await ScanPartitionsAsync(raw, cancellationToken);
        }
        finally
        {
            File.Delete(raw);
        }
    }

    private static async Task<ImageScan> ScanPartitionsAsync(string image, CancellationToken ct)
    {
        var partitions = await PartitionsAsync(image, ct);
        var findings = new List<ScanFinding>();
        var problems = new List<string>();
        var scanned = 0;
        foreach (var p in partitions)
        {
            var kind = await FileSystemAsync(image, p.Offset, ct);
            if (kind is "ext" or "vfat")
            {
                var prefix = partitions.Count == 1 ? "" : $"partition {p.Number}:";
                var found = kind == "ext" ? await ScanExtAsync(image, p.Offset, ct) : await ScanFatAsync(image, p.Offset, ct);
                findings.AddRange(found.Select(f => f with { Path = prefix + f.Path }));
                scanned++;
            }
            else if (kind is not ("empty" or "swap") && !_noFileSystemTypes.Contains(p.Type))
            {
                problems.Add($"partition {p.Number} ({kind}) is not a file system the scanner reads (ext2/3/4 and FAT)");
            }
        }
        if (problems.Count > 0)
        {
            return new ImageScan(false, findings, string.Join("; ", problems));
        }
        return scanned == 0
            ? new ImageScan(false, [], "no ext2/3/4 or FAT file system found in the image")
            : new ImageScan(true, findings);
    }

    /// <summary>The findings in the FAT file systems (EFI system partitions) of a raw image only, named "partition N:/path".</summary>
    public static async Task<IReadOnlyList<ScanFinding>> ScanFatPartitionsAsync(string imagePath, CancellationToken cancellationToken = default)
    {
        var findings = new List<ScanFinding>();
        foreach (var p in await PartitionsAsync(imagePath, cancellationToken))
        {
            if (await FileSystemAsync(imagePath, p.Offset, cancellationToken) == "vfat")
            {
                findings.AddRange((await ScanFatAsync(imagePath, p.Offset, cancellationToken)).Select(f => f with { Path = $"partition {p.Number}:{f.Path}" }));
            }
        }
        return findings;
    }

    private static async Task<IReadOnlyList<ScanFinding>> ScanFatAsync(string image, long offset, CancellationToken ct)
    {
        if (Tool.Find("mcopy") is null)
        {
            throw new ImageBuildException("scan", $"{image} has a FAT file system (an EFI system partition) at offset {offset} and mcopy is missing to read it (apt-get install mtools)");
        }
        var dir = Directory.CreateTempSubdirectory("drover-scan-").FullName;
        try
        {
            var source = $"{Path.GetFullPath(image)}@@{offset.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
            var environment = new Dictionary<string, string> { ["MTOOLS_SKIP_CHECK"] = "1" };
            var result = await Tool.RunAsync("mcopy", ["-s", "-n", "-p", "-i", source, "::/*", dir + "/"], ct, environment);
            // An empty file system has nothing to match "::/*": mcopy says so and exits 1.
            if (result.ExitCode != 0 && !(result.Stderr.Contains("not found", StringComparison.Ordinal) && Directory.GetFileSystemEntries(dir).Length == 0))
            {
                throw new ImageBuildException("scan", $"mcopy could not read the FAT file system at offset {offset} of {image}: {result.Stderr.Trim()}");
            }
            return SecretScanner.ScanDirectory(dir, ct);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<IReadOnlyList<ScanFinding>> ScanExtAsync(string image, long offset, CancellationToken ct)
    {
        var dir = Directory.CreateTempSubdirectory("drover-scan-").FullName;
        try
        {
            var result = await Tool.RunAsync("debugfs", ["-R", $"rdump / {dir}", $"{Path.GetFullPath(image)}?offset={offset}"], ct);
            if (result.ExitCode != 0)
            {
                throw new ImageBuildException("scan", $"debugfs could not read the file system at offset {offset} of {image}: {result.Stderr.Trim()}");
            }
            return SecretScanner.ScanDirectory(dir, ct);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A partition: its number (1-based), byte offset and type as sfdisk names it.</summary>
    internal sealed record Partition(int Number, long Offset, string Type);

    /// <summary>The partitions sfdisk sees; none (no table): the whole file as one.</summary>
    internal static async Task<IReadOnlyList<Partition>> PartitionsAsync(string image, CancellationToken ct)
    {
        var result = await Tool.RunAsync("sfdisk", ["-J", image], ct);
        if (result.ExitCode != 0 || result.Stdout.Trim().Length == 0)
        {
            return [new Partition(1, 0, "")];
        }
        using var doc = JsonDocument.Parse(result.Stdout);
        var table = doc.RootElement.GetProperty("partitiontable");
        var sector = table.TryGetProperty("sectorsize", out var s) ? s.GetInt64() : 512;
        var list = new List<Partition>();
        if (table.TryGetProperty("partitions", out var parts))
        {
            foreach (var p in parts.EnumerateArray())
            {
                list.Add(new Partition(list.Count + 1, p.GetProperty("start").GetInt64() * sector, p.TryGetProperty("type", out var t) ? t.GetString() ?? "" : ""));
            }
        }
        return list;
    }

    /// <summary>"ext", "empty", "swap", a name such as "vfat", or "unknown", from the magic numbers at the start of a file system.</summary>
    internal static async Task<string> FileSystemAsync(string image, long offset, CancellationToken ct)
    {
        var block = new byte[0x10100];
        int n;
        await using (var f = File.OpenRead(image))
        {
            f.Position = offset;
            n = await f.ReadAtLeastAsync(block, block.Length, throwOnEndOfStream: false, ct);
        }
        var b = block.AsSpan(0, n);
        if (n >= 1082 && BinaryPrimitives.ReadUInt16LittleEndian(b[1080..]) == 0xEF53)
        {
            return "ext";
        }
        if (n >= 4096 && (b[4086..4096].SequenceEqual("SWAPSPACE2"u8) || b[4086..4096].SequenceEqual("SWAP-SPACE"u8)))
        {
            return "swap";
        }
        if (n >= 90 && (b[82..87].SequenceEqual("FAT32"u8) || b[54..57].SequenceEqual("FAT"u8)))
        {
            return "vfat";
        }
        if (b.StartsWith("XFSB"u8))
        {
            return "xfs";
        }
        if (b.StartsWith("hsqs"u8))
        {
            return "squashfs";
        }
        if (n >= 0x10048 && b[0x10040..0x10048].SequenceEqual("_BHRfS_M"u8))
        {
            return "btrfs";
        }
        return b[..Math.Min(n, 0x10000)].IndexOfAnyExcept((byte)0) < 0 ? "empty" : "unknown";
    }
}
