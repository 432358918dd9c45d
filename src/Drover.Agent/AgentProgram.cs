namespace Drover.Agent;

/// <summary>The agent's entry point, callable in-process (tests run it against a temporary root).</summary>
public static class AgentProgram
{
    /// <summary>Parses <paramref name="args"/> (environment: this process's) and runs; returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken = default)
    {
        var environment = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);
        return RunAsync(args, environment, output, cancellationToken);
    }

    public static async Task<int> RunAsync(string[] args, IReadOnlyDictionary<string, string?> environment, TextWriter output,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var options = AgentCommandLine.Parse(args, environment, out var error);
        if (options is null)
        {
            await output.WriteLineAsync(error is null ? AgentCommandLine.Usage : $"drover-agent: error: {error}\n\n{AgentCommandLine.Usage}");
            return error is null ? 0 : 2;
        }

        return await RunAsync(options, output, cancellationToken);
    }

    /// <summary>Runs with explicit options (tests shorten the retry delays this way).</summary>
    public static Task<int> RunAsync(AgentOptions options, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        return new AgentRunner(options, output).RunAsync(cancellationToken);
    }
}
