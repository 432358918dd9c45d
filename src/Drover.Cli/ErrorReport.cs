using System.Text.Json;
using Drover.Core;

namespace Drover.Cli;

/// <summary>
/// The one map from a failure to what the user reads and the exit code: 0 ok, 1 failure, 2 usage, 130 interrupted.
/// Drover's own errors (<see cref="DroverException"/>) print as they are; a few system errors that carry a complete
/// message (a file that cannot be read, an unreachable API) print with it; anything else is a bug and keeps its trace.
/// </summary>
internal static class ErrorReport
{
    public const int Ok = 0, Failure = 1, Usage = 2, Interrupted = 130;

    /// <summary>The lines to print (each after <c>error: </c>) and the exit code, or null when <paramref name="error"/> is a bug.</summary>
    public static (IReadOnlyList<string> Lines, int ExitCode)? Describe(Exception error) => error switch
    {
        DroverException e => (e.Lines, e.IsUsageError ? Usage : Failure),
        HttpRequestException e => ([$"cannot reach the API: {e.Message}"], Failure),
        ArgumentException e => ([e.Message], Usage),
        IOException or UnauthorizedAccessException or JsonException or TimeoutException => ([error.Message], Failure),
        _ => null,
    };
}
