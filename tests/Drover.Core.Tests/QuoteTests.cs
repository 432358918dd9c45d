using Drover.Core.Processes;
using Drover.Core.Text;
using Shouldly;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace Drover.Core.Tests;

public sealed class QuoteTests
{
    public static TheoryData<string> Awkward => ["", "plain", "two words", "it's", "'", "\"quoted\"", "$HOME", "`id`", "a\nb", "back\\slash", "-n", "*", "ü"];

    [Theory]
    [MemberData(nameof(Awkward))]
    public async Task A_shell_quoted_word_reads_back_as_itself(string value)
    {
        var result = await ProcessRunner.CheckAsync("/bin/sh", ["-c", "printf '%s' " + ShellQuote.Quote(value)], cancellationToken: TestContext.Current.CancellationToken);

        result.ShouldBe(value);
    }

    [Fact]
    public void Words_that_need_no_quotes_stay_as_they_are_in_messages()
    {
        ShellQuote.Join(["ip", "netns", "exec", "drover-1", "/bin/sh", "-c", "echo hi"]).ShouldBe("ip netns exec drover-1 /bin/sh -c 'echo hi'");
        ShellQuote.QuoteIfNeeded("").ShouldBe("''");
    }

    public static TheoryData<string> Scalars => ["plain", "two words", "yes", "No", "on", "null", "~", "0777", "1e3", "0x1F", "2024-01-01", ".inf", "a: b",
        "a #b", "ends:", "trailing ", "- item", "[x]", "{x}", "&anchor", "*alias", "!tag", "%x", "@at", "`tick", "'single'", "\"double\"", "a\nb", "tab\there",
        "\u0001", "ü", "key=value", "/path/to/file", "user@host"];

    [Theory]
    [MemberData(nameof(Scalars))]
    public void A_yaml_quoted_scalar_reads_back_as_the_same_string(string value)
    {
        var yaml = "key: " + YamlQuote.Quote(value) + "\n";
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));

        var node = (YamlScalarNode)((YamlMappingNode)stream.Documents[0].RootNode).Children[new YamlScalarNode("key")];
        node.Value.ShouldBe(value, yaml);
        if (YamlQuote.IsPlainSafe(value))
        {
            node.Style.ShouldBe(YamlDotNet.Core.ScalarStyle.Plain);
        }
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("off")]
    [InlineData("12")]
    [InlineData("1.5")]
    [InlineData("null")]
    [InlineData("2024-01-01")]
    public void Values_yaml_1_1_would_read_as_another_type_are_quoted(string value)
        => YamlQuote.Quote(value).ShouldBe($"\"{value}\"");
}
