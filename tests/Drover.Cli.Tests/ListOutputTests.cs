using Shouldly;
using Xunit;

namespace Drover.Cli.Tests;

/// <summary>
/// The exact output of <c>image list</c>, <c>server list</c> and <c>ssh-key list</c>, as tables and as JSON, with and
/// without selectors and for empty results, pinned in <c>ListOutput/</c> (see <see cref="ListOutputCloud"/> for the data
/// and <see cref="Snapshots"/> for updating). The three commands share one implementation; these keep each one's output.
/// </summary>
public sealed class ListOutputTests(ListOutputCloud fixture) : IClassFixture<ListOutputCloud>
{
    [Theory]
    [InlineData("server list", "server-list.txt")]
    [InlineData("server list -o json", "server-list.json")]
    [InlineData("server list -l role=web", "server-list-selector.txt")]
    [InlineData("server list --selector role=db --output json", "server-list-selector.json")]
    [InlineData("server list -l role=none", "server-list-empty.txt")]
    [InlineData("server list -l role=none -o json", "server-list-empty.json")]
    [InlineData("ssh-key list", "ssh-key-list.txt")]
    [InlineData("ssh-key list -o json", "ssh-key-list.json")]
    [InlineData("ssh-key list -l team=ops", "ssh-key-list-selector.txt")]
    [InlineData("ssh-key list -l !team -o json", "ssh-key-list-selector.json")]
    [InlineData("ssh-key list -l team=none", "ssh-key-list-empty.txt")]
    [InlineData("ssh-key list -l team=none -o json", "ssh-key-list-empty.json")]
    [InlineData("image list", "image-list.txt")]
    [InlineData("image list --type snapshot", "image-list-snapshots.txt")]
    [InlineData("image list --type snapshot -o json", "image-list-snapshots.json")]
    [InlineData("image list -l os=debian", "image-list-selector.txt")]
    [InlineData("image list -l os -o json", "image-list-selector.json")]
    [InlineData("image list --arch arm --type system --type snapshot", "image-list-arch-types.txt")]
    [InlineData("image list --include-deprecated --arch x86", "image-list-deprecated.txt")]
    [InlineData("image list -l os=none", "image-list-empty.txt")]
    [InlineData("image list -l os=none -o json", "image-list-empty.json")]
    public async Task List_output_matches_its_snapshot(string commandLine, string snapshot)
    {
        // Arrange
        await using var cli = fixture.Runner();

        // Act
        var result = await cli.RunAsync(commandLine.Split(' '));

        // Assert
        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stderr.ShouldBeEmpty();
        Snapshots.Match($"ListOutput/{snapshot}", result.Stdout);
    }

    [Theory]
    [InlineData("image")]
    [InlineData("server")]
    [InlineData("ssh-key")]
    public async Task An_invalid_selector_is_the_same_usage_error_for_every_list(string noun)
    {
        // Arrange
        await using var cli = fixture.Runner();

        // Act
        var result = await cli.RunAsync(noun, "list", "-l", "env in (prod", "-o", "json");

        // Assert
        result.ExitCode.ShouldBe(2);
        result.Stdout.ShouldBeEmpty();
        result.Stderr.ShouldBe("error: --selector: invalid label selector 'env in (prod' at position 13: expected ',' or ')' in the value list, found the end\n");
    }
}
