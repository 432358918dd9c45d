using Drover.Core.Processes;

namespace Drover.LocalCloud.Machines;

/// <summary>What a host command printed and how it ended.</summary>
internal sealed record HostCommandResult(int ExitCode, string Stdout, string Stderr)
{
    public bool Ok => ExitCode == 0;

    /// <summary>stderr (or stdout when stderr is empty), trimmed, for error messages.</summary>
    public string Message => (Stderr.Trim().Length > 0 ? Stderr : Stdout).Trim();
}

/// <summary>
/// The machine layer's view of <see cref="ProcessRunner"/>: host tools (<c>ip</c>, <c>losetup</c>, <c>ssh-keygen</c>,
/// ...) with a 30 s limit, whose failures are <see cref="MachineException"/>s naming the command.
/// </summary>
internal static class HostCommand
{
    private static readonly ProcessOptions _options = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>The full path of <paramref name="name"/>, or null when it is not installed.</summary>
    public static string? Find(string name) => ProcessRunner.Find(name);

    /// <summary>Runs a command and returns its result, whatever its exit code.</summary>
    public static async Task<HostCommandResult> RunAsync(string program, IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        try
        {
            var result = await ProcessRunner.RunAsync(program, arguments, _options, cancellationToken);
            return new HostCommandResult(result.ExitCode, result.Stdout, result.Stderr);
        }
        catch (Exception e) when (e is ProcessTimeoutException or ProgramNotFoundException)
        {
            throw new MachineException(e.Message, e);
        }
    }

    /// <summary>Runs a command that must succeed; a failure becomes a <see cref="MachineException"/> naming the command.</summary>
    public static async Task<string> CheckAsync(string program, IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        var list = arguments.ToList();
        var result = await RunAsync(program, list, cancellationToken);
        return result.Ok ? result.Stdout : throw new MachineException($"'{ProcessRunner.Describe(program, list)}' failed (exit {result.ExitCode}): {result.Message}");
    }

    /// <summary>Synchronous <see cref="RunAsync"/> for start-up and shutdown paths that cannot be async.</summary>
    public static HostCommandResult Run(string program, params string[] arguments)
        => Task.Run(() => RunAsync(program, arguments)).GetAwaiter().GetResult();
}
