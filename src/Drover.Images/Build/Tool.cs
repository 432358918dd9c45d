using System.Diagnostics;

namespace Drover.Images.Build;

/// <summary>Runs the host tools the builders and the scanner use (mmdebstrap, mkfs.ext4, sfdisk, debugfs, nix ...).</summary>
internal static class Tool
{
    /// <summary>The result of one run.</summary>
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>Finds an executable on <paramref name="searchPath"/> (a PATH value; default: this process's PATH).</summary>
    public static string? Find(string name, string? searchPath = null)
    {
        if (name.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(name) ? name : null;
        }
        foreach (var dir in (searchPath ?? Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        // Tools in /usr/sbin are missing from an ordinary user's PATH; they are still runnable by path.
        foreach (var dir in new[] { "/usr/sbin", "/sbin" })
        {
            var candidate = Path.Combine(dir, name);
            if (searchPath is null && File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>Runs a command to completion; the process is killed (with its children) on cancellation.</summary>
    public static async Task<Result> RunAsync(string file, IEnumerable<string> args, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(Find(file) ?? file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[k] = v;
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw;
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs a command and throws <see cref="ImageBuildException"/> with its last error lines when it fails.</summary>
    public static async Task<string> CheckAsync(string step, string file, IEnumerable<string> args, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var list = args.ToList();
        var result = await RunAsync(file, list, cancellationToken, environment, workingDirectory);
        if (result.ExitCode != 0)
        {
            throw new ImageBuildException(step, $"{file} {string.Join(' ', list)} exited {result.ExitCode}: {Tail(result.Stderr.Length > 0 ? result.Stderr : result.Stdout)}");
        }
        return result.Stdout;
    }

    /// <summary>Runs a bash script with <c>set -euo pipefail</c>; values go in as positional parameters (<c>$1</c> ...), never spliced into the text.</summary>
    public static Task<string> BashAsync(string step, string script, IEnumerable<string> args, CancellationToken cancellationToken)
        => CheckAsync(step, "bash", ["-c", "set -euo pipefail\nexport PATH=\"$PATH:/usr/sbin:/sbin\"\n" + script, "drover-build", .. args], cancellationToken);

    private static string Tail(string text)
    {
        var lines = text.Trim().Split('\n');
        return string.Join(" | ", lines.Skip(Math.Max(0, lines.Length - 5)));
    }
}
