using Drover.Hcloud.Labels;
using Shouldly;
using Xunit;

namespace Drover.Hcloud.Tests.Labels;

public sealed class LabelValidationTests
{
    private static readonly string _name63 = "a" + new string('b', 61) + "c";
    private static readonly string _name64 = _name63 + "d";

    [Theory]
    [InlineData("env")]
    [InlineData("a")]
    [InlineData("Env.Type_1-x")]
    [InlineData("9lives")]
    [InlineData("example.com/role")]
    [InlineData("drover.example/created-by")]
    [InlineData("sub.example-1.com/x")]
    [InlineData("hetzner.cloud.example/x")]
    public void Valid_keys_have_no_problem(string key)
    {
        // Act / Assert
        LabelValidation.KeyProblem(key).ShouldBeNull();
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("-env", "start and end")]
    [InlineData("env-", "start and end")]
    [InlineData("e nv", "start and end")]
    [InlineData("/name", "prefix")]
    [InlineData("Example.com/role", "prefix")]
    [InlineData("example..com/role", "prefix")]
    [InlineData("example.com/", "1 to 63")]
    [InlineData("a/b/c", "start and end")]
    [InlineData("hetzner.cloud/managed", "reserved")]
    public void Invalid_keys_are_explained(string key, string problem)
    {
        // Act / Assert
        LabelValidation.KeyProblem(key).ShouldNotBeNull().ShouldContain(problem);
    }

    [Fact]
    public void Key_names_may_have_63_but_not_64_characters()
    {
        // Act / Assert
        LabelValidation.KeyProblem(_name63).ShouldBeNull();
        LabelValidation.KeyProblem("example.com/" + _name63).ShouldBeNull();
        LabelValidation.KeyProblem(_name64).ShouldNotBeNull().ShouldContain("has 64");
        LabelValidation.KeyProblem("example.com/" + _name64).ShouldNotBeNull();
    }

    [Fact]
    public void Key_prefixes_may_have_253_but_not_254_characters()
    {
        // Arrange
        var prefix253 = string.Join(".", Enumerable.Repeat(new string('a', 63), 3)) + "." + new string('b', 61);
        var prefix254 = prefix253 + "c";

        // Act / Assert
        prefix253.Length.ShouldBe(253);
        LabelValidation.KeyProblem(prefix253 + "/x").ShouldBeNull();
        LabelValidation.KeyProblem(prefix254 + "/x").ShouldNotBeNull().ShouldContain("253");
    }

    [Theory]
    [InlineData("")]
    [InlineData("prod")]
    [InlineData("v1.2_3-x")]
    [InlineData("A")]
    public void Valid_values_including_empty_have_no_problem(string value)
    {
        // Act / Assert
        LabelValidation.ValueProblem(value).ShouldBeNull();
    }

    [Theory]
    [InlineData("-prod")]
    [InlineData("prod.")]
    [InlineData("a/b")]
    [InlineData("a b")]
    [InlineData("ümlaut")]
    public void Invalid_values_are_explained(string value)
    {
        // Act / Assert
        LabelValidation.ValueProblem(value).ShouldNotBeNull().ShouldContain("start and end");
    }

    [Fact]
    public void Values_may_have_63_but_not_64_characters()
    {
        // Act / Assert
        LabelValidation.ValueProblem(_name63).ShouldBeNull();
        LabelValidation.ValueProblem(_name64).ShouldNotBeNull().ShouldContain("at most 63");
    }

    [Fact]
    public void Problems_lists_every_invalid_label_in_key_order()
    {
        // Arrange
        var labels = new Dictionary<string, string> { ["z-"] = "ok", ["ok"] = "", ["a"] = "-bad", ["hetzner.cloud/x"] = "1" };

        // Act
        var problems = LabelValidation.Problems(labels);

        // Assert
        problems.Count.ShouldBe(3);
        problems[0].ShouldStartWith("label 'a':");
        problems[1].ShouldStartWith("label 'hetzner.cloud/x':");
        problems[2].ShouldStartWith("label 'z-':");
    }

    [Fact]
    public void ThrowIfInvalid_throws_an_ArgumentException_naming_the_parameter()
    {
        // Act
        var error = Should.Throw<ArgumentException>(() => LabelValidation.ThrowIfInvalid(new Dictionary<string, string> { ["bad key"] = "v" }, "request"));

        // Assert
        error.ParamName.ShouldBe("request");
        error.Message.ShouldContain("bad key");
    }

    [Fact]
    public void ThrowIfInvalid_accepts_null_and_valid_labels()
    {
        // Act / Assert
        Should.NotThrow(() => LabelValidation.ThrowIfInvalid(null));
        Should.NotThrow(() => LabelValidation.ThrowIfInvalid(new Dictionary<string, string> { ["example.com/role"] = "", ["env"] = "prod" }));
    }
}
