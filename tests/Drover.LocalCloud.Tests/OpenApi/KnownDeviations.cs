using System.Text.RegularExpressions;

namespace Drover.LocalCloud.Tests.OpenApi;

/// <summary>
/// Differences from the spec that are known and cannot be fixed in the local cloud alone. Each names where the fix
/// belongs; remove the entry once it is fixed. Everything else the validator reports fails the conformance tests.
/// </summary>
public static partial class KnownDeviations
{
    private static (string? Operation, Regex Path, Regex Message, string Reason)[] Entries { get; } =
    [
    ];

    /// <summary>
    /// The reason a violation in a response of <paramref name="operation"/> (the spec's path template) is tolerated,
    /// or null when it is not.
    /// </summary>
    public static string? Excuse(string operation, SchemaViolation violation)
        => Entries.FirstOrDefault(e => (e.Operation is null || e.Operation == operation) && e.Path.IsMatch(violation.Path) && e.Message.IsMatch(violation.Message)).Reason;

    [GeneratedRegex(@"\.server_types?(\[\d+\])?\.locations\[\d+\]$")]
    private static partial Regex ServerTypeLocation();

    [GeneratedRegex("^missing required property '(available|recommended)'$")]
    private static partial Regex MissingAvailableOrRecommended();

    [GeneratedRegex(@"^\$\.meta$")]
    private static partial Regex Meta();

    [GeneratedRegex("^is not declared by the schema$")]
    private static partial Regex Undeclared();
}
