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
}
