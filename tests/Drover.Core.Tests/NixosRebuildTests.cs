using System.Text.RegularExpressions;
using Drover.Core.Nix;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Core.Tests;

/// <summary>
/// <see cref="NixosRebuild"/> against the nixos-rebuild of the NixOS 20.09 tree Drover tests against (nixpkgs
/// 28fce082c8ca, July 2020, unpacked by <c>scripts/setup</c>): the script's own argument <c>case</c> and its own
/// <c>REF#HOST</c> rule, read from the script, so that "known to 20.09" and "newer than 20.09" stay true.
/// </summary>
[MachineTier]
public sealed partial class NixosRebuildTests
{
    private const string ScriptPath = "nixos/modules/installer/tools/nixos-rebuild.sh";

    /// <summary>The commands the checks run over: plain and impure, flake references with query strings, FQDN hosts.</summary>
    public static TheoryData<string, string, bool> Commands => new()
    {
        { "github:example/infra", "web1", false },
        { "github:example/infra", "web1", true },
        { "github:example/infra?ref=main", "db-2", true },
        { "git+https://git.example/infra?ref=main&rev=0123abc", "web1.example.com", false },
        { "path:/srv/infra", "h", true },
    };

    [Fact]
    public void Every_option_marked_known_to_20_09_is_accepted_there_with_its_number_of_values()
    {
        var script = Script.Read();

        var known = NixosRebuild.Options.Where(o => o.KnownToNixos2009).ToList();

        known.ShouldNotBeEmpty();
        foreach (var option in known)
        {
            var clause = script.ClauseFor(option.Name);
            clause.IsUnknownOption.ShouldBeFalse($"{option.Name} is marked known to NixOS 20.09, but that nixos-rebuild rejects it");
            clause.Values.ShouldBe(option.Values, $"{option.Name} takes {clause.Values} value(s) in NixOS 20.09's nixos-rebuild ({clause.Patterns})");
        }
    }

    [Fact]
    public void Every_option_marked_newer_is_rejected_by_20_09_as_an_unknown_option()
    {
        var script = Script.Read();

        var newer = NixosRebuild.Options.Where(o => !o.KnownToNixos2009).ToList();

        newer.Select(o => o.Name).ShouldContain(NixosRebuild.ImpureOption.Name);
        foreach (var option in newer)
        {
            script.ClauseFor(option.Name).IsUnknownOption.ShouldBeTrue($"{option.Name} is marked newer than NixOS 20.09, but that nixos-rebuild accepts it");
        }
    }

    [Fact]
    public void The_switch_action_is_accepted_by_20_09()
    {
        var script = Script.Read();

        var clause = script.ClauseFor(NixosRebuild.SwitchAction);

        clause.IsUnknownOption.ShouldBeFalse();
        clause.Values.ShouldBe(0);
        clause.Body.ShouldContain("action=\"$i\"");
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void The_20_09_argument_loop_takes_the_command_up_to_any_newer_option(string flakeRef, string host, bool impure)
    {
        var script = Script.Read();
        var command = NixosRebuild.Switch(flakeRef, host, impure);

        // Act: the script's while/case loop over the words, as bash runs it.
        var words = command.Arguments.ToList();
        var rejected = new List<string>();
        string? flake = null;
        for (var i = 0; i < words.Count; i++)
        {
            var clause = script.ClauseFor(words[i]);
            if (clause.IsUnknownOption)
            {
                rejected.Add(words[i]);
                break;
            }
            if (words[i] == NixosRebuild.FlakeOption.Name)
            {
                flake = words[i + 1];
            }
            i += clause.Values;
        }

        // Assert
        flake.ShouldBe(command.FlakeTarget);
        rejected.ShouldBe(impure ? [NixosRebuild.ImpureOption.Name] : []);
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void The_20_09_split_of_REF_HOST_gives_back_the_flake_and_the_host(string flakeRef, string host, bool impure)
    {
        var script = Script.Read();
        var command = NixosRebuild.Switch(flakeRef, host, impure);
        var value = command.Arguments[command.Arguments.ToList().IndexOf(NixosRebuild.FlakeOption.Name) + 1];

        var match = script.FlakeSplit.Match(value);

        match.Success.ShouldBeTrue($"the script's {script.FlakeSplit} does not match {value}");
        match.Groups[1].Value.ShouldBe(flakeRef);
        match.Groups[2].Value.ShouldBe(host);
        script.Text.ShouldContain("flakeAttr=\"nixosConfigurations.\\\"$flakeAttr\\\"\"", customMessage: "HOST selects nixosConfigurations.\"HOST\"");
    }

    /// <summary>One branch of the script's argument <c>case</c>: its patterns, its body, how many words it shifts.</summary>
    private sealed record Clause(string Patterns, string Body, int Values)
    {
        /// <summary>The catch-all branch: <c>unknown option</c>, exit 1.</summary>
        public bool IsUnknownOption => Patterns == "*";

        public bool Matches(string word) => Patterns.Split('|').Any(p => Glob(p).IsMatch(word));

        /// <summary>A bash <c>case</c> pattern as a regex (the script uses <c>*</c> only, e.g. <c>-j*</c>).</summary>
        private static Regex Glob(string pattern) => new("^" + string.Concat(pattern.Select(c => c switch
        {
            '*' => ".*",
            '?' => ".",
            _ => Regex.Escape(c.ToString()),
        })) + "$");
    }

    /// <summary>The 2020 nixos-rebuild.sh, read and taken apart.</summary>
    private sealed partial class Script
    {
        private Script(string text, List<Clause> clauses, Regex flakeSplit)
        {
            Text = text;
            Clauses = clauses;
            FlakeSplit = flakeSplit;
        }

        public string Text { get; }

        /// <summary>The branches of the argument loop's <c>case "$i" in</c>, in order (bash takes the first that matches).</summary>
        public List<Clause> Clauses { get; }

        /// <summary>The script's <c>[[ $flake =~ ... ]]</c> that splits <c>REF#HOST</c>, as a .NET regex.</summary>
        public Regex FlakeSplit { get; }

        /// <summary>The branch bash runs for <paramref name="word"/>.</summary>
        public Clause ClauseFor(string word) => Clauses.First(c => c.Matches(word));

        public static Script Read()
        {
            if (NixSnapshot.SkipReason() is { } reason)
            {
                Assert.Skip(reason);
            }
            var path = Path.Combine(NixSnapshot.Nixpkgs2020, ScriptPath);
            if (!File.Exists(path))
            {
                Assert.Skip($"{path} is missing: the nixpkgs snapshot is incomplete (scripts/setup unpacks it again)");
            }
            var text = File.ReadAllText(path);

            var loop = ArgumentCaseRegex().Match(text);
            loop.Success.ShouldBeTrue("nixos-rebuild.sh has no 'while [ \"$#\" -gt 0 ] ... case \"$i\" in ... esac' argument loop");
            var clauses = new List<Clause>();
            foreach (Match clause in ClauseRegex().Matches(loop.Groups["body"].Value))
            {
                var body = clause.Groups["body"].Value;
                var values = ShiftRegex().Matches(body).Sum(m => m.Groups["n"].Success ? int.Parse(m.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture) : 1);
                clauses.Add(new Clause(clause.Groups["patterns"].Value, body, values));
            }
            clauses.Count.ShouldBeGreaterThan(10, "the argument case was not taken apart");
            clauses[^1].IsUnknownOption.ShouldBeTrue("the last branch is the catch-all");
            clauses[^1].Body.ShouldContain("unknown option");

            var split = FlakeSplitRegex().Match(text);
            split.Success.ShouldBeTrue("nixos-rebuild.sh has no '[[ $flake =~ REGEX ]]' that splits REF#HOST");
            var bashRegex = split.Groups["re"].Value;
            // In [[ =~ ]], bash takes a backslash-quoted character literally. A backslash before a character that is not a
            // letter or digit is a literal in .NET too (inside brackets as well), so the text means the same there; and
            // with HOST free of '#', the anchored match splits at the last '#' under POSIX and .NET rules alike.
            EscapeRegex().Matches(bashRegex).ShouldAllBe(m => !char.IsAsciiLetterOrDigit(m.Groups[1].Value[0]));
            return new Script(text, clauses, new Regex(bashRegex));
        }

        [GeneratedRegex(@"while \[ ""\$#"" -gt 0 \]; do\s*\n\s*i=""\$1""; shift 1\s*\n\s*case ""\$i"" in\s*\n(?<body>.*?)\n\s*esac\s*\n\s*done", RegexOptions.Singleline)]
        private static partial Regex ArgumentCaseRegex();

        [GeneratedRegex(@"^[ \t]*(?<patterns>[^\s()]+)\)[ \t]*\n(?<body>.*?)^[ \t]*;;", RegexOptions.Singleline | RegexOptions.Multiline)]
        private static partial Regex ClauseRegex();

        [GeneratedRegex(@"\bshift\b(?:[ \t]+(?<n>[0-9]+))?")]
        private static partial Regex ShiftRegex();

        [GeneratedRegex(@"\[\[ \$flake =~ (?<re>\S+) \]\]")]
        private static partial Regex FlakeSplitRegex();

        [GeneratedRegex(@"\\(.)")]
        private static partial Regex EscapeRegex();
    }
}
