namespace Drover.Cli;

/// <summary>The console as the CLI sees it; tests pass writers and an environment of their own.</summary>
public sealed record CliIO(TextWriter Out, TextWriter Error, TextReader In, IReadOnlyDictionary<string, string?> Environment)
{
    /// <summary>Whether stderr is a terminal (progress is drawn in place only then).</summary>
    public bool ErrorIsTerminal { get; init; }

    /// <summary>The width in columns of the terminal stdout writes to; null when stdout is not a terminal (or its width is unknown).</summary>
    public int? OutputWidth { get; init; }

    /// <summary>The clock ages in tables are measured against (the system clock; tests pin it).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public string? Env(string name) => Environment.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v) ? v : null;

    public static CliIO FromConsole()
    {
        var env = System.Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value);
        return new CliIO(Console.Out, Console.Error, Console.In, env)
        {
            ErrorIsTerminal = !Console.IsErrorRedirected,
            OutputWidth = Console.IsOutputRedirected ? null : TerminalWidth(),
        };
    }

    private static int? TerminalWidth()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
