using Drover.Hcloud.Labels;
using Shouldly;
using Xunit;

namespace Drover.Hcloud.Tests.Labels;

public sealed class LabelSelectorTests
{
    private static readonly Dictionary<string, string> _prod = new() { ["env"] = "prod", ["tier"] = "web", ["example.com/role"] = "builder", ["empty"] = "" };

    [Theory]
    [InlineData("env=prod", "env", LabelOperator.Equals, "prod")]
    [InlineData("env==prod", "env", LabelOperator.Equals, "prod")]
    [InlineData("env!=prod", "env", LabelOperator.NotEquals, "prod")]
    [InlineData("env", "env", LabelOperator.Exists, "")]
    [InlineData("!env", "env", LabelOperator.NotExists, "")]
    [InlineData("env in (prod,staging)", "env", LabelOperator.In, "prod|staging")]
    [InlineData("env notin (prod,staging)", "env", LabelOperator.NotIn, "prod|staging")]
    [InlineData("  env  =  prod  ", "env", LabelOperator.Equals, "prod")]
    [InlineData("env in ( prod , staging )", "env", LabelOperator.In, "prod|staging")]
    [InlineData("env notin(prod)", "env", LabelOperator.NotIn, "prod")]
    [InlineData("! env", "env", LabelOperator.NotExists, "")]
    [InlineData("example.com/role=builder", "example.com/role", LabelOperator.Equals, "builder")]
    [InlineData("hetzner.cloud/managed", "hetzner.cloud/managed", LabelOperator.Exists, "")]
    [InlineData("env=", "env", LabelOperator.Equals, "")]
    [InlineData("env==", "env", LabelOperator.Equals, "")]
    public void Parse_reads_every_operator(string selector, string key, LabelOperator op, string values)
    {
        // Act
        var parsed = LabelSelector.Parse(selector);

        // Assert
        var requirement = parsed.Requirements.ShouldHaveSingleItem();
        requirement.Key.ShouldBe(key);
        requirement.Operator.ShouldBe(op);
        requirement.Values.ShouldBe(op is LabelOperator.Exists or LabelOperator.NotExists ? [] : values.Split('|'));
    }

    [Theory]
    [InlineData("env=prod", true)]
    [InlineData("env==prod", true)]
    [InlineData("env=staging", false)]
    [InlineData("env!=staging", true)]
    [InlineData("env!=prod", false)]
    [InlineData("missing!=x", true)]
    [InlineData("env", true)]
    [InlineData("missing", false)]
    [InlineData("!missing", true)]
    [InlineData("!env", false)]
    [InlineData("env in (staging,prod)", true)]
    [InlineData("env in (staging,testing)", false)]
    [InlineData("missing in (a,b)", false)]
    [InlineData("env notin (staging,testing)", true)]
    [InlineData("env notin (staging,prod)", false)]
    [InlineData("missing notin (a,b)", true)]
    [InlineData("empty", true)]
    [InlineData("empty=", true)]
    [InlineData("empty!=", false)]
    [InlineData("env=prod,tier=web", true)]
    [InlineData("env=prod,tier=db", false)]
    [InlineData("env=prod, !missing, tier in (web,api), example.com/role", true)]
    [InlineData("env=prod,!tier", false)]
    [InlineData("", true)]
    [InlineData("   ", true)]
    public void Matches_evaluates_all_terms_against_labels(string selector, bool expected)
    {
        // Arrange
        var parsed = LabelSelector.Parse(selector);

        // Act
        var matches = parsed.Matches(_prod);

        // Assert
        matches.ShouldBe(expected);
    }

    [Theory]
    [InlineData("env==prod", "env=prod")]
    [InlineData("  env  =  prod  ", "env=prod")]
    [InlineData("tier=web,env=prod", "env=prod,tier=web")]
    [InlineData("b, !a", "!a,b")]
    [InlineData("k in (b, a, c)", "k in (a,b,c)")]
    [InlineData("k notin(z,y)", "k notin (y,z)")]
    [InlineData("z!=1,a in (x),m", "a in (x),m,z!=1")]
    [InlineData("k!=v,k=w", "k=w,k!=v")]
    [InlineData("", "")]
    public void ToString_is_deterministic_and_sorted(string selector, string expected)
    {
        // Act
        var text = LabelSelector.Parse(selector).ToString();

        // Assert
        text.ShouldBe(expected);
        LabelSelector.Parse(text).ToString().ShouldBe(expected);
    }

    [Fact]
    public void Selectors_with_the_same_terms_in_another_order_are_equal()
    {
        // Arrange
        var a = LabelSelector.Parse("env=prod,tier in (web,api)");
        var b = LabelSelector.Parse("tier in (api, web), env==prod");

        // Assert
        a.ShouldBe(b);
        a.GetHashCode().ShouldBe(b.GetHashCode());
    }

    [Fact]
    public void FromLabels_builds_equality_terms_and_And_combines()
    {
        // Arrange
        var fromLabels = LabelSelector.FromLabels(new Dictionary<string, string> { ["tier"] = "web", ["env"] = "prod" });

        // Act
        var combined = fromLabels.And(LabelSelector.Parse("!legacy"));

        // Assert
        fromLabels.ToString().ShouldBe("env=prod,tier=web");
        combined.ToString().ShouldBe("env=prod,!legacy,tier=web");
        combined.Matches(_prod).ShouldBeTrue();
        LabelSelector.Everything.Matches(new Dictionary<string, string>()).ShouldBeTrue();
        LabelSelector.Everything.ToString().ShouldBe("");
    }

    [Theory]
    [InlineData("env===", 5)]
    [InlineData("a,,b", 2)]
    [InlineData("k in (a", 7)]
    [InlineData("=v", 0)]
    [InlineData("k=v!", 3)]
    [InlineData("k in a", 5)]
    [InlineData("k=v,", 4)]
    [InlineData(",k", 0)]
    [InlineData("k=v w", 4)]
    [InlineData("k in ()", 6)]
    [InlineData("k in (a b)", 8)]
    [InlineData("k in (a)x", 8)]
    [InlineData("k inx (a)", 2)]
    [InlineData("k=a/b", 3)]
    [InlineData("!", 1)]
    [InlineData("-k=v", 0)]
    [InlineData("k=-v", 2)]
    [InlineData("k=v,Bad_Prefix.com/x=1", 4)]
    public void Parse_rejects_invalid_selectors_at_the_right_position(string selector, int position)
    {
        // Act
        var error = Should.Throw<LabelSelectorException>(() => LabelSelector.Parse(selector));

        // Assert
        error.Position.ShouldBe(position);
        error.Selector.ShouldBe(selector);
        error.Problem.ShouldNotBeNullOrWhiteSpace();
        error.Message.ShouldContain($"position {position + 1}");
        error.Message.ShouldContain(error.Problem);
    }

    [Fact]
    public void Parse_rejects_a_key_name_longer_than_63_characters()
    {
        // Arrange
        var selector = "ok=1," + new string('k', 64) + "=v";

        // Act
        var error = Should.Throw<LabelSelectorException>(() => LabelSelector.Parse(selector));

        // Assert
        error.Position.ShouldBe(5);
        error.Problem.ShouldContain("63");
    }

    [Fact]
    public void TryParse_reports_the_error_instead_of_throwing()
    {
        // Act
        var ok = LabelSelector.TryParse("a,,b", out var result, out var error);
        var good = LabelSelector.TryParse("a", out var parsed, out var none);

        // Assert
        ok.ShouldBeFalse();
        result.ShouldBeNull();
        error!.Position.ShouldBe(2);
        good.ShouldBeTrue();
        parsed!.ToString().ShouldBe("a");
        none.ShouldBeNull();
    }

    [Fact]
    public void LabelSelectorException_is_an_error_the_cli_prints_as_it_is()
    {
        // Act
        var error = Should.Throw<LabelSelectorException>(() => LabelSelector.Parse("=v"));

        // Assert
        error.ShouldBeAssignableTo<Drover.Core.DroverException>();
        error.IsUsageError.ShouldBeFalse();
    }
}
