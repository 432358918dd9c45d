using System.CommandLine;
using Drover.Cli.Output;
using Drover.Hcloud;
using Drover.Hcloud.Labels;

namespace Drover.Cli.Commands;

/// <summary>Options shared by commands, and the handler wrapper that maps failures to messages and exit codes.</summary>
internal static class Common
{
    /// <summary>Exit codes: 0 ok, 1 failure, 2 usage, 130 interrupted.</summary>
    public const int Ok = 0, Failure = 1, Usage = 2, Interrupted = 130;

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

    public static string Age(DateTimeOffset created)
    {
        var age = TimeProvider.System.GetUtcNow() - created;
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
            catch (Fleet.Config.FleetConfigException e)
            {
                foreach (var line in e.Diagnostics.Count > 0 ? e.Diagnostics.Select(d => d.ToString()) : [e.Message])
                {
                    await err.WriteLineAsync($"error: {line}");
                }
                return Failure;
            }
            catch (UsageException e)
            {
                await err.WriteLineAsync($"error: {e.Message}");
                return Usage;
            }
            catch (HcloudApiException e)
            {
                await err.WriteLineAsync($"error: {e.Message}");
                return Failure;
            }
            catch (ActionFailedException e)
            {
                await err.WriteLineAsync($"error: {e.Message}");
                return Failure;
            }
            catch (HttpRequestException e)
            {
                await err.WriteLineAsync($"error: cannot reach the API: {e.Message}");
                return Failure;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                await err.WriteLineAsync("interrupted");
                return Interrupted;
            }
            catch (ArgumentException e)
            {
                await err.WriteLineAsync($"error: {e.Message}");
                return Usage;
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or TimeoutException or System.Text.Json.JsonException or System.ComponentModel.Win32Exception or UnauthorizedAccessException)
            {
                await err.WriteLineAsync($"error: {e.Message}");
                return Failure;
            }
        });
}
