using System.Reflection;
using Xunit;

namespace Drover.Cli.Tests;

/// <summary>
/// Expected outputs checked in next to the tests (<c>Help/</c>, <c>ListOutput/</c>), compared byte for byte.
/// <para>
/// With <c>DROVER_UPDATE_SNAPSHOTS=1</c> a missing or differing snapshot is written instead of compared, into the source
/// tree (the project directory the build records in the assembly, never the bin directory), and the test is skipped
/// with a reason naming the file: an update run never reports a comparison it did not make. Review the files with
/// <c>git diff</c> and commit them.
/// </para>
/// </summary>
public static class Snapshots
{
    public const string UpdateVariable = "DROVER_UPDATE_SNAPSHOTS";

    /// <summary>Whether this run writes snapshots (<c>DROVER_UPDATE_SNAPSHOTS=1</c>) instead of comparing.</summary>
    public static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    /// <summary>This test project's source directory (where the snapshots are read and written).</summary>
    public static string ProjectDirectory => FindProjectDirectory();

    /// <summary>The absolute path of a snapshot, given relative to the project directory (e.g. <c>Help/drover.txt</c>).</summary>
    public static string PathOf(string relativePath) => Path.Combine(ProjectDirectory, relativePath);

    /// <summary>The command that (re)writes the snapshots of the current test class.</summary>
    public static string UpdateCommand()
    {
        var testClass = TestContext.Current.TestClass?.TestClassName ?? nameof(Snapshots);
        return $"{UpdateVariable}=1 dotnet test tests/Drover.Cli.Tests --filter \"FullyQualifiedName~{testClass}\"";
    }

    /// <summary>
    /// Fails unless <paramref name="actual"/> equals the snapshot at <paramref name="relativePath"/>; in an update run,
    /// writes it where it is missing or differs and skips, saying so.
    /// </summary>
    public static void Match(string relativePath, string actual)
    {
        var path = PathOf(relativePath);
        var expected = File.Exists(path) ? File.ReadAllText(path) : null;
        if (expected == actual)
        {
            return;
        }
        if (Updating)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            Assert.Skip($"{UpdateVariable}=1: {(expected is null ? "created" : "updated")} {relativePath}, not compared (review it with git diff and commit it)");
        }
        if (expected is null)
        {
            Assert.Fail($"""
                The snapshot {relativePath} does not exist ({path}).
                Create it with:
                  {UpdateCommand()}
                then review it and commit it.
                """);
        }
        Assert.Fail($"""
            The output differs from the snapshot {relativePath} ({path}), first at line {FirstDifference(expected, actual, out var want, out var got)}:
              expected: {want}
              actual:   {got}
            --- actual output
            {actual}
            ---
            If the change is intended, update the snapshot with:
              {UpdateCommand()}
            then review it (git diff) and commit it.
            """);
    }

    /// <summary>The 1-based number of the first line where the texts differ, and that line of each ("(end)" past the last).</summary>
    private static int FirstDifference(string expected, string actual, out string expectedLine, out string actualLine)
    {
        var want = expected.Split('\n');
        var got = actual.Split('\n');
        var i = 0;
        while (i < want.Length && i < got.Length && want[i] == got[i])
        {
            i++;
        }
        expectedLine = i < want.Length ? Visible(want[i]) : "(end)";
        actualLine = i < got.Length ? Visible(got[i]) : "(end)";
        return i + 1;
    }

    /// <summary>A line quoted, so that trailing spaces and carriage returns show.</summary>
    private static string Visible(string line) => "\"" + line.Replace("\r", "\\r", StringComparison.Ordinal) + "\"";

    private static string FindProjectDirectory()
    {
        var recorded = typeof(Snapshots).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == "ProjectDirectory")?.Value
            ?? throw new InvalidOperationException("the test assembly records no ProjectDirectory (see Drover.Cli.Tests.csproj)");
        return Directory.Exists(recorded)
            ? recorded
            : throw new InvalidOperationException($"the source directory {recorded} recorded at build time does not exist here: run the tests from the source tree they were built from");
    }
}
