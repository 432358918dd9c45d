using System.Diagnostics;

namespace Drover.LocalCloud.Machines;

/// <summary>What a host command printed and how it ended.</summary>
internal sealed record HostCommandResult(int ExitCode, string Stdout, string Stderr)
{
    public bool Ok => ExitCode == 0;

    /// <summary>stderr (or stdout when stderr is empty), trimmed, for error messages.</summary>
    public string Message => (Stderr.Trim().Length > 0 ? Stderr : Stdout).Trim();
}

/// <summary>
/// Runs host tools (<c>ip</c>, <c>losetup</c>, <c>ssh-keygen</c>, ...) without a shell, with a time limit.
/// Programs are looked up on <c>PATH</c> and in the sbin directories, which a non-login root shell may lack.
/// </summary>
internal static class HostCommand
{
    private static readonly TimeSpan _timeout = TimeSpan.FromSeconds(30);
    private static readonly string[] _extraDirectories = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    /// <summary>The full path of <paramref name="name"/>, or null when it is not installed.</summary>
    public static string? Find(string name)
    {
        if (name.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(name) ? name : null;
        }
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        return path.Concat(_extraDirectories).Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
    }

    /// <summary>Runs a command and returns its result, whatever its exit code.</summary>
    public static async Task<HostCommandResult> RunAsync(string program, IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(Find(program) ?? program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new MachineException($"could not start {program}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new MachineException($"'{Describe(program, start.ArgumentList)}' did not finish within {_timeout.TotalSeconds:0} s");
        }
        return new HostCommandResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs a command that must succeed; a failure becomes a <see cref="MachineException"/> naming the command.</summary>
    public static async Task<string> CheckAsync(string program, IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        var list = arguments.ToList();
        var result = await RunAsync(program, list, cancellationToken);
        return result.Ok ? result.Stdout : throw new MachineException($"'{Describe(program, list)}' failed (exit {result.ExitCode}): {result.Message}");
    }

    /// <summary>Synchronous <see cref="RunAsync"/> for start-up and shutdown paths that cannot be async.</summary>
    public static HostCommandResult Run(string program, params string[] arguments)
        => Task.Run(() => RunAsync(program, arguments)).GetAwaiter().GetResult();

    private static string Describe(string program, IEnumerable<string> arguments) => string.Join(' ', arguments.Prepend(program));
}
