using Drover.Core.Nix;
using Drover.Core.Processes;
using Shouldly;
using Xunit;

namespace Drover.Core.Tests;

/// <summary>The converge command <see cref="NixosRebuild"/> builds: its words, its quoting, what it refuses.</summary>
public sealed class NixosRebuildCommandTests
{
    [Fact]
    public void Switch_is_nixos_rebuild_switch_with_the_flake_and_host_and_impure_last()
    {
        var pure = NixosRebuild.Switch("github:example/infra", "web1");
        var impure = NixosRebuild.Switch("github:example/infra", "web1", impure: true);

        pure.Arguments.ShouldBe(["switch", "--flake", "github:example/infra#web1"]);
        pure.CommandLine.ShouldBe("nixos-rebuild switch --flake 'github:example/infra#web1'");
        pure.FlakeTarget.ShouldBe("github:example/infra#web1");
        impure.Arguments.ShouldBe(["switch", "--flake", "github:example/infra#web1", "--impure"]);
        impure.CommandLine.ShouldBe("nixos-rebuild switch --flake 'github:example/infra#web1' --impure");
        impure.ToString().ShouldBe(impure.CommandLine);
        (impure.Action, impure.FlakeRef, impure.Host, impure.Impure).ShouldBe(("switch", "github:example/infra", "web1", true));
    }

    [Fact]
    public void Every_option_a_command_has_is_listed_with_its_values()
    {
        var words = NixosRebuild.Switch("path:/srv/infra", "h", impure: true).Arguments;

        for (var i = 1; i < words.Count; i++)
        {
            var option = NixosRebuild.Options.SingleOrDefault(o => o.Name == words[i]).ShouldNotBeNull($"{words[i]} is not in NixosRebuild.Options");
            i += option.Values;
        }
        NixosRebuild.FlakeOption.ShouldBe(NixosRebuild.Options[0]);
        NixosRebuild.FlakeOption.KnownToNixos2009.ShouldBeTrue();
        NixosRebuild.ImpureOption.KnownToNixos2009.ShouldBeFalse();
    }

    [Theory]
    [InlineData("github:example/infra?ref=main&rev=0123", "web1")]
    [InlineData("git+https://git.example/infra?dir=nix", "web1.example.com")]
    [InlineData("path:/srv/it's;$HOME*", "h")]
    public async Task The_command_line_reads_back_as_the_same_words_in_sh(string flakeRef, string host)
    {
        var command = NixosRebuild.Switch(flakeRef, host, impure: true);

        var words = await ProcessRunner.CheckAsync("/bin/sh", ["-c", "printf '%s\\n' " + command.CommandLine],
            cancellationToken: TestContext.Current.CancellationToken);

        words.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldBe([NixosRebuild.Program, .. command.Arguments]);
    }

    [Theory]
    [InlineData("", "the flake reference is empty")]
    [InlineData("github:o/r#web1", "flake reference 'github:o/r#web1' names an attribute ('#web1'): give the flake alone, the host name selects nixosConfigurations.HOST")]
    [InlineData("github:o/r two", "flake reference 'github:o/r two' contains whitespace or control characters")]
    [InlineData("github:o/r\n", "flake reference 'github:o/r\n' contains whitespace or control characters")]
    public void A_flake_reference_that_cannot_be_REF_of_REF_HOST_is_refused(string flakeRef, string message)
    {
        NixosRebuild.FlakeRefProblem(flakeRef).ShouldBe(message);
        var e = Should.Throw<ArgumentException>(() => NixosRebuild.Switch(flakeRef, "web1"));
        e.ParamName.ShouldBe("flakeRef");
        e.Message.ShouldStartWith(message);
        NixosRebuild.FlakeRefProblem(null).ShouldBe("the flake reference is empty");
    }

    [Theory]
    [InlineData("web1", true)]
    [InlineData("web1.example.com", true)]
    [InlineData("Web-1", true)]
    [InlineData("", false)]
    [InlineData("-web", false)]
    [InlineData("web-", false)]
    [InlineData("web_1", false)]
    [InlineData("web 1", false)]
    [InlineData("web1\n", false)]
    [InlineData("web1.", false)]
    [InlineData("a\"b", false)]
    public void The_host_must_be_a_host_name(string host, bool valid)
    {
        (NixosRebuild.HostProblem(host) is null).ShouldBe(valid);
        if (!valid)
        {
            Should.Throw<ArgumentException>(() => NixosRebuild.Switch("github:o/r", host)).ParamName.ShouldBe("host");
            NixosRebuild.HostProblem(host)!.ShouldContain("is not a valid host name");
        }
    }

    [Fact]
    public void A_label_of_64_characters_is_too_long()
    {
        NixosRebuild.HostProblem(new string('a', 63)).ShouldBeNull();
        NixosRebuild.HostProblem(new string('a', 64)).ShouldNotBeNull();
    }
}
