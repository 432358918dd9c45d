using Drover.Images.Build;

namespace Drover.Cli.Demo;

/// <summary>The demo's image: the debian builder with the agent inside, cached root file system, progress on stderr.</summary>
internal static class DemoImage
{
    /// <summary>Builds (or rebuilds from the cached root file system) and returns the raw image's path.</summary>
    public static async Task<string> BuildAsync(CliEnv env, string agentPath, string outputDirectory, CancellationToken ct)
    {
        var unit = Path.Combine(Path.GetDirectoryName(agentPath)!, "drover-agent.service");
        var options = new DebianBuildOptions
        {
            Name = "drover-demo",
            AgentPath = agentPath,
            AgentUnit = File.Exists(unit) ? await File.ReadAllTextAsync(unit, ct) : DebianBuildOptions.DefaultAgentUnit,
            OutputDirectory = outputDirectory,
            CacheDirectory = RootfsCache.DefaultDirectory(env.IO.Env),
            Labels = new Dictionary<string, string> { ["role"] = "demo" },
        };
        var progress = new Progress<BuildProgress>(p => env.IO.Error.WriteLine(
            p.Took is { } took ? $"    {p.Step}: {took.TotalSeconds:0.0} s{(p.Detail is null ? "" : $" ({p.Detail})")}" : $"    {p.Step}..."));
        var result = await new DebianBuilder().BuildAsync(options, progress, ct);
        var scan = result.Manifest.Scan;
        await env.IO.Error.WriteLineAsync($"    {result.Manifest.Path} ({result.Manifest.Size / (1024 * 1024)} MiB, sha256 {result.Manifest.Sha256?[..16]}…), secret scan: {(scan.Scanned ? $"{scan.Findings.Count} findings" : "not scanned")}{(result.CacheHit ? ", root file system from the cache" : "")}");
        return result.Manifest.Path ?? throw new InvalidOperationException("the builder wrote no image");
    }
}
