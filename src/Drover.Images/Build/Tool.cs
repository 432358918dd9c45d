using Drover.Core.Processes;

namespace Drover.Images.Build;

/// <summary>
/// The builders' and the scanner's view of <see cref="ProcessRunner"/>: host tools (mmdebstrap, mkfs.ext4, sfdisk,
/// debugfs, nix ...) whose failure is an <see cref="ImageBuildException"/> naming the build step.
/// </summary>
internal static class Tool
{
    /// <summary>The result of one run.</summary>
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>
    /// Finds an executable on <paramref name="searchPath"/> (a PATH value) alone, or by default on this process's PATH
    /// and then in /usr/sbin and /sbin (missing from an ordinary user's PATH, still runnable by path).
    /// </summary>
    public static string? Find(string name, string? searchPath = null)
        => ProcessRunner.Find(name, searchPath is null ? ["/usr/sbin", "/sbin"] : [], searchPath);

    /// <summary>Runs a command to completion; the process is killed (with its children) on cancellation.</summary>
    public static async Task<Result> RunAsync(string file, IEnumerable<string> args, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var result = await ProcessRunner.RunAsync(file, args, Options(environment, workingDirectory), cancellationToken);
        return new Result(result.ExitCode, result.Stdout, result.Stderr);
    }

    /// <summary>Runs a command and throws <see cref="ImageBuildException"/> with its last error lines when it fails.</summary>
    public static async Task<string> CheckAsync(string step, string file, IEnumerable<string> args, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var result = await ProcessRunner.RunAsync(file, args, Options(environment, workingDirectory), cancellationToken);
        return result.Ok ? result.Stdout : throw new ImageBuildException(step, $"{result.Command} exited {result.ExitCode}: {result.Message}");
    }

    /// <summary>Runs a bash script with <c>set -euo pipefail</c>; values go in as positional parameters (<c>$1</c> ...), never spliced into the text.</summary>
    public static Task<string> BashAsync(string step, string script, IEnumerable<string> args, CancellationToken cancellationToken)
        => CheckAsync(step, "bash", ["-c", "set -euo pipefail\nexport PATH=\"$PATH:/usr/sbin:/sbin\"\n" + script, "drover-build", .. args], cancellationToken);

    private static ProcessOptions Options(IReadOnlyDictionary<string, string>? environment, string? workingDirectory) => new()
    {
        Environment = environment?.ToDictionary(e => e.Key, e => (string?)e.Value),
        WorkingDirectory = workingDirectory,
        ExtraSearchDirectories = ["/usr/sbin", "/sbin"],
    };
}
