using Drover.Core.Processes;

namespace Drover.Demo;

/// <summary>
/// Finds the published drover-agent (self-contained, trimmed, single file) that images get, publishing it from the
/// source tree when it is missing: <c>DROVER_AGENT</c> (x86) or <c>DROVER_AGENT_ARM64</c> (arm), else
/// <c>artifacts/agent/linux-x64/drover-agent</c> (or <c>linux-arm64</c>) of the repository this drover was built from.
/// </summary>
internal static class AgentBinary
{
    /// <summary>The .NET runtime identifier of an image architecture's agent.</summary>
    public static string RuntimeIdentifier(bool arm) => arm ? "linux-arm64" : "linux-x64";

    public static async Task<string> LocateAsync(Func<string, string?> environment, TextWriter log, CancellationToken cancellationToken, bool arm = false)
    {
        var variable = arm ? "DROVER_AGENT_ARM64" : "DROVER_AGENT";
        if (environment(variable) is { } configured)
        {
            return File.Exists(configured) ? configured : throw new DemoException($"{variable}={configured} does not exist");
        }
        var rid = RuntimeIdentifier(arm);
        var relative = $"artifacts/agent/{rid}/drover-agent";
        var repo = RepositoryRoot() ?? throw new DemoException(
            $"drover-agent was not found: set {variable} to the published agent (scripts/publish-agent {rid} in the source tree makes it)");
        var path = Path.Combine(repo, relative);
        var stale = File.Exists(path) ? NewerSource(repo, File.GetLastWriteTimeUtc(path)) : null;
        if (File.Exists(path) && stale is null)
        {
            return path;
        }
        await log.WriteLineAsync(stale is null
            ? $"    publishing drover-agent for {rid} (self-contained, trimmed, single file; once)"
            : $"    publishing drover-agent for {rid} again: {Path.GetRelativePath(repo, stale)} is newer than {relative}");
        var result = await ProcessRunner.RunAsync("bash", [Path.Combine(repo, "scripts", "publish-agent"), rid], new ProcessOptions { WorkingDirectory = repo }, cancellationToken);
        result.EnsureSuccess();
        return File.Exists(path) ? path : throw new DemoException($"scripts/publish-agent did not make {path}: {result.Message}");
    }

    private static readonly string[] _sourceProjects = ["Drover.Agent", "Drover.Core"];

    /// <summary>A file of the agent's sources changed after <paramref name="published"/>, or null.</summary>
    private static string? NewerSource(string repo, DateTime published)
    {
        // The agent's own sources and those of the one project it uses.
        return _sourceProjects
            .Select(project => Path.Combine(repo, "src", project))
            .Where(Directory.Exists)
            .SelectMany(sources => Directory.EnumerateFiles(sources, "*", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .FirstOrDefault(f => File.GetLastWriteTimeUtc(f) > published);
    }

    /// <summary>The source tree this build came from: the nearest parent of the binary holding Drover.slnx.</summary>
    public static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Drover.slnx")))
            {
                return dir.FullName;
            }
        }
        return null;
    }
}
