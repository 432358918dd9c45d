using Drover.Hcloud.Contracts;
using Drover.Images.Build;

namespace Drover.Demo;

/// <summary>The demo's image: the debian builder with the agent inside, cached root file system, progress on stderr.</summary>
internal static class DemoImage
{
    /// <summary>Builds (or rebuilds from the cached root file system) and returns the raw image's path.</summary>
    public static async Task<string> BuildAsync(Architecture architecture, string agentPath, string outputDirectory, Func<string, string?> environment, TextWriter log, CancellationToken ct)
    {
        var unit = Path.Combine(Path.GetDirectoryName(agentPath)!, "drover-agent.service");
        var options = new DebianBuildOptions
        {
            Name = architecture == Architecture.Arm ? "drover-demo-arm" : "drover-demo",
            Architecture = architecture,
            AgentPath = agentPath,
            AgentUnit = File.Exists(unit) ? await File.ReadAllTextAsync(unit, ct) : DebianBuildOptions.DefaultAgentUnit,
            OutputDirectory = outputDirectory,
            CacheDirectory = RootfsCache.DefaultDirectory(environment),
            Labels = new Dictionary<string, string> { ["role"] = "demo" },
        };
        var progress = new Progress<BuildProgress>(p => log.WriteLine(
            p.Took is { } took ? $"    {p.Step}: {took.TotalSeconds:0.0} s{(p.Detail is null ? "" : $" ({p.Detail})")}" : $"    {p.Step}..."));
        var result = await new DebianBuilder().BuildAsync(options, progress, ct);
        var scan = result.Manifest.Scan;
        await log.WriteLineAsync($"    {result.Manifest.Path} ({result.Manifest.Size / (1024 * 1024)} MiB, sha256 {result.Manifest.Sha256?[..16]}…), secret scan: {(scan.Scanned ? $"{scan.Findings.Count} findings" : "not scanned")}{(result.CacheHit ? ", root file system from the cache" : "")}");
        return result.Manifest.Path ?? throw new DemoException("the builder wrote no image");
    }

    /// <summary>
    /// Version 2 of a built image, next to it: a sparse copy with one 4 MiB block of random bytes in the last whole block
    /// before the final MiB (the GPT's backup). The builder's root partition runs up to that MiB and mkfs.ext4 -d fills a
    /// file system from its start (the journal sits in its middle), so that block is free space: the image still boots.
    /// </summary>
    public static async Task<string> SecondVersionAsync(string image, CancellationToken ct)
    {
        const int block = Images.Upload.BlockMap.DefaultBlockSize;
        var v2 = Path.Combine(Path.GetDirectoryName(image)!, Path.GetFileNameWithoutExtension(image) + "-v2.raw");
        var length = new FileInfo(image).Length;
        var offset = (((length - (1 << 20)) / block) - 1) * block;
        if (offset < 64L << 20)
        {
            throw new DemoException($"{image} is too small ({length} bytes) for a second version");
        }
        using (var source = File.OpenHandle(image))
        await using (var target = new FileStream(v2, FileMode.Create, FileAccess.Write))
        {
            target.SetLength(length);
            var buffer = new byte[block];
            foreach (var (start, end) in Core.Files.SparseExtents.DataExtents(source, length))
            {
                for (var at = start; at < end; at += block)
                {
                    var n = (int)Math.Min(block, end - at);
                    var read = RandomAccess.Read(source, buffer.AsSpan(0, n), at);
                    target.Position = at;
                    await target.WriteAsync(buffer.AsMemory(0, read), ct);
                }
            }
            target.Position = offset;
            await target.WriteAsync(System.Security.Cryptography.RandomNumberGenerator.GetBytes(block), ct);
        }
        return v2;
    }
}
