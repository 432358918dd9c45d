using System.CommandLine;
using System.Text.RegularExpressions;
using Shouldly;
using Xunit;

namespace Drover.Cli.Tests;

/// <summary>
/// The help of every command, root and subcommands at every depth, pinned in <c>Help/</c> (one file per command:
/// <c>drover.txt</c> for the root, <c>image-upload.txt</c> for <c>drover image upload</c>). Help is rendered as on a
/// machine without a terminal, at <see cref="CliApp.DefaultHelpWidth"/> columns. To refresh the files after changing a
/// command: <c>DROVER_UPDATE_SNAPSHOTS=1 dotnet test tests/Drover.Cli.Tests --filter "FullyQualifiedName~HelpTests"</c>.
/// </summary>
public sealed class HelpTests
{
    private const string Folder = "Help";

    /// <summary>
    /// Every command line of the tree, e.g. "drover", "drover image", "drover image upload"; not hidden commands
    /// (<c>local serve</c>), whose help is empty.
    /// </summary>
    public static TheoryData<string> Commands() => [.. CommandPaths()];

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Help_matches_its_snapshot(string command)
    {
        // Arrange: a runner's environment has no COLUMNS and no terminal, as on a CI machine.
        await using var cli = new CliRunner();

        // Act
        var result = await cli.RunAsync([.. command.Split(' ').Skip(1), "--help"]);

        // Assert
        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stderr.ShouldBeEmpty();
        Snapshots.Match($"{Folder}/{FileName(command)}", AsDrover(WithoutTrailingSpaces(result.Stdout)));
    }

    [Fact]
    public void Every_help_snapshot_belongs_to_a_command()
    {
        // Arrange
        var expected = CommandPaths().Select(FileName).ToList();
        var directory = Snapshots.PathOf(Folder);

        // Act
        var stale = Directory.Exists(directory)
            ? Directory.GetFiles(directory).Select(Path.GetFileName).Where(f => !expected.Contains(f!)).Order(StringComparer.Ordinal).ToList()
            : [];

        // Assert
        expected.Distinct().Count().ShouldBe(expected.Count, "two commands map to the same snapshot file name");
        if (stale.Count > 0 && Snapshots.Updating)
        {
            stale.ForEach(f => File.Delete(Path.Combine(directory, f!)));
            Assert.Skip($"{Snapshots.UpdateVariable}=1: deleted {string.Join(", ", stale.Select(f => $"{Folder}/{f}"))}, which no command renders");
        }
        stale.ShouldBeEmpty($"snapshots of commands that no longer exist; delete them, or run {Snapshots.UpdateCommand()}");
    }

    [Fact]
    public void Every_command_has_a_description()
    {
        // Act
        var missing = Walk(Root()).Where(c => string.IsNullOrWhiteSpace(c.Command.Description)).Select(c => c.Path).ToList();

        // Assert
        missing.ShouldBeEmpty("commands without a description");
    }

    [Fact]
    public void Every_option_and_argument_has_a_description()
    {
        // Act: the options a command defines (recursive ones are checked once, where they are defined) and its arguments.
        var missing = Walk(Root())
            .SelectMany(c => c.Command.Options.Select(o => (c.Path, Symbol: (Symbol)o)).Concat(c.Command.Arguments.Select(a => (c.Path, Symbol: (Symbol)a))))
            .Where(s => string.IsNullOrWhiteSpace(s.Symbol.Description))
            .Select(s => $"{s.Path} {s.Symbol.Name}")
            .ToList();

        // Assert
        missing.ShouldBeEmpty("options and arguments without a description");
    }

    [Fact]
    public void Help_lines_fit_the_default_width()
    {
        // Act
        var tooLong = CommandPaths()
            .Select(c => Snapshots.PathOf($"{Folder}/{FileName(c)}"))
            .Where(File.Exists)
            .SelectMany(f => File.ReadAllLines(f).Where(l => l.Length > CliApp.DefaultHelpWidth).Select(l => $"{Path.GetFileName(f)}: {l}"))
            .ToList();

        // Assert
        tooLong.ShouldBeEmpty($"help lines wider than {CliApp.DefaultHelpWidth} columns");
    }

    [Theory]
    [InlineData(null, null, CliApp.DefaultHelpWidth)]
    [InlineData(null, 100, 100)]
    [InlineData("80", 100, 80)]
    [InlineData("80", null, 80)]
    [InlineData("0", null, CliApp.DefaultHelpWidth)]
    [InlineData("wide", 90, 90)]
    public void Help_wraps_at_COLUMNS_else_at_the_terminal_width_else_at_the_default(string? columns, int? terminal, int expected)
    {
        // Arrange
        var io = new CliIO(TextWriter.Null, TextWriter.Null, TextReader.Null, new Dictionary<string, string?> { ["COLUMNS"] = columns }) { OutputWidth = terminal };

        // Act
        var width = CliApp.HelpWidth(io);

        // Assert
        width.ShouldBe(expected);
    }

    [Fact]
    public async Task Help_on_a_terminal_wraps_at_its_width()
    {
        // Arrange
        var stdout = new StringWriter();
        var io = new CliIO(stdout, TextWriter.Null, TextReader.Null, new Dictionary<string, string?>()) { OutputWidth = 80 };

        // Act
        var exit = await CliApp.RunAsync(["image", "upload", "--help"], io, TestContext.Current.CancellationToken);

        // Assert
        exit.ShouldBe(0);
        var lines = stdout.ToString().Split('\n');
        lines.ShouldAllBe(l => l.Length <= 80);
        lines.ShouldContain(l => l.Length > 70, "the help fills the terminal's width");
    }

    private static IEnumerable<string> CommandPaths() => Walk(Root()).Where(c => !c.Command.Hidden).Select(c => c.Path);

    /// <summary><c>drover.txt</c> for the root, else the command path after "drover" joined by '-': <c>image-upload.txt</c>.</summary>
    private static string FileName(string path)
        => (path.Contains(' ', StringComparison.Ordinal) ? path[(path.IndexOf(' ', StringComparison.Ordinal) + 1)..].Replace(' ', '-') : path) + ".txt";

    /// <summary>
    /// Help pads some lines with spaces (an empty line inside a description is written as its indent); editors strip
    /// them from the checked-in files, so they are compared without.
    /// </summary>
    private static string WithoutTrailingSpaces(string text)
        => string.Join('\n', text.Split('\n').Select(l => l.TrimEnd(' ')));

    /// <summary>
    /// Usage lines start with the root command's name, the entry assembly's: <c>drover</c> for the CLI, the test
    /// project's name here.
    /// </summary>
    private static string AsDrover(string help)
        => Regex.Replace(help, $"(?m)^  {Regex.Escape(RootCommand.ExecutableName)}(?= |$)", "  drover");

    private static RootCommand Root()
    {
        var io = new CliIO(TextWriter.Null, TextWriter.Null, TextReader.Null, new Dictionary<string, string?>());
        return CliApp.BuildRoot(new CliEnv(io, DroverPaths.From(io)));
    }

    /// <summary>The command and all its subcommands, depth first in the order help lists them, each with its command line.</summary>
    private static IEnumerable<(string Path, Command Command)> Walk(Command command, string? parent = null)
    {
        var path = parent is null ? "drover" : $"{parent} {command.Name}";
        yield return (path, command);
        foreach (var sub in command.Subcommands.SelectMany(s => Walk(s, path)))
        {
            yield return sub;
        }
    }
}
