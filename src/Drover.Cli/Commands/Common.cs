using System.CommandLine;
using Drover.Cli.Output;
using Drover.Hcloud.Labels;

namespace Drover.Cli.Commands;

/// <summary>Options shared by commands, and the handler wrapper that maps failures to messages and exit codes.</summary>
internal static class Common
{
    /// <summary>Exit codes (see <see cref="ErrorReport"/>).</summary>
    public const int Ok = ErrorReport.Ok, Failure = ErrorReport.Failure, Usage = ErrorReport.Usage, Interrupted = ErrorReport.Interrupted;

    public static readonly Option<string?> Context = new("--context")
    {
        Description = "Context to use (default: HCLOUD_TOKEN/HCLOUD_ENDPOINT if set, else the active context, else 'local')",
        Recursive = true,
    };

    public static Option<OutputFormat> Output() => new("--output", "-o")
    {
        Description = "Output format: table or json",
        DefaultValueFactory = _ => OutputFormat.Table,
    };

    public static Option<string?> Selector() => new("--selector", "-l")
    {
        Description = "Label selector, e.g. 'os=debian,role in (web,db),!draft'",
    };

    public static LabelSelector? ParseSelector(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        return LabelSelector.TryParse(text, out var selector, out var error)
            ? selector
            : throw new UsageException($"--selector: {error!.Message}");
    }

    public static string Labels(IReadOnlyDictionary<string, string> labels)
        => string.Join(", ", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Value.Length == 0 ? l.Key : $"{l.Key}={l.Value}"));

    /// <summary>How long ago <paramref name="created"/> was, in its largest whole unit: 3d, 5h, 12m, 40s.</summary>
    public static string Age(DateTimeOffset created, TimeProvider time)
    {
        var age = time.GetUtcNow() - created;
        return age.TotalDays >= 1 ? $"{(int)age.TotalDays}d" : age.TotalHours >= 1 ? $"{(int)age.TotalHours}h" : age.TotalMinutes >= 1 ? $"{(int)age.TotalMinutes}m" : $"{Math.Max(0, (int)age.TotalSeconds)}s";
    }

    /// <summary>Runs a handler, printing failures as one clear line on stderr with the right exit code.</summary>
    public static void SetHandler(Command command, CliEnv env, Func<ParseResult, CancellationToken, Task<int>> body)
        => command.SetAction(async (parse, ct) =>
        {
            var err = env.IO.Error;
            try
            {
                return await body(parse, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                await err.WriteLineAsync("interrupted");
                return Interrupted;
            }
            catch (Exception e) when (ErrorReport.Describe(e) is { } report)
            {
                foreach (var line in report.Lines)
                {
                    await err.WriteLineAsync($"error: {line}");
                }
                return report.ExitCode;
            }
        });
}
