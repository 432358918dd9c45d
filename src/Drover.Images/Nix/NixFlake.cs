using System.Text.Json;
using System.Text.RegularExpressions;
using Drover.Core.Processes;

namespace Drover.Images.Nix;

/// <summary>
/// A flake directory as Drover asks Nix about it: <c>nix eval</c> and <c>nix build</c> of its outputs, with flake inputs
/// overridden by <c>--override-input</c> (never written to its lock file). Failures are <see cref="NixException"/>s with
/// Nix's message and the user's file and line.
/// </summary>
public sealed class NixFlake
{
    private static readonly string[] _features = ["--extra-experimental-features", "nix-command flakes"];
    private readonly string _nix;
    private readonly List<(string Input, string Reference)> _overrides = [];

    public NixFlake(string nix, string directory)
    {
        _nix = nix;
        Directory = Path.GetFullPath(directory);
    }

    /// <summary>The flake's directory (it holds <c>flake.nix</c>).</summary>
    public string Directory { get; }

    /// <summary>The environment of every nix run; null entries unset a variable.</summary>
    public IReadOnlyDictionary<string, string?>? Environment { get; init; }

    /// <summary>Replaces an input for every later call (<c>--override-input INPUT REF</c>).</summary>
    public void Override(string input, string reference) => _overrides.Add((input, reference));

    /// <summary>Whether the flake declares input <paramref name="name"/>: by its lock file's root inputs, else by <c>flake.nix</c>'s text.</summary>
    public bool DeclaresInput(string name)
    {
        var lockFile = Path.Combine(Directory, "flake.lock");
        if (File.Exists(lockFile))
        {
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(lockFile));
                var root = doc.RootElement.GetProperty("root").GetString() ?? "root";
                return doc.RootElement.GetProperty("nodes").GetProperty(root).TryGetProperty("inputs", out var inputs)
                    && inputs.TryGetProperty(name, out _);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                // An unreadable lock file: Nix will say so itself; the text decides here.
            }
        }
        var text = File.ReadAllText(Path.Combine(Directory, "flake.nix"));
        var escaped = Regex.Escape(name);
        return Regex.IsMatch(text, $@"(inputs\.{escaped}\b|(^|[\s;{{]){escaped}\s*(=\s*\{{|\.url\b|\.flake\b))", RegexOptions.Multiline);
    }

    /// <summary><c>nix eval --json DIR#ATTR [--apply FN]</c>, parsed.</summary>
    public async Task<JsonElement> EvalJsonAsync(string step, string attribute, string? apply, CancellationToken cancellationToken)
    {
        var args = new List<string> { "eval", "--json", Reference(attribute) };
        if (apply is not null)
        {
            args.AddRange(["--apply", apply]);
        }
        var stdout = await RunAsync(step, $"evaluating {attribute}", args, cancellationToken);
        using var doc = JsonDocument.Parse(stdout);
        return doc.RootElement.Clone();
    }

    /// <summary><c>nix eval --raw DIR#ATTR</c>.</summary>
    public async Task<string> EvalRawAsync(string step, string attribute, CancellationToken cancellationToken)
        => (await RunAsync(step, $"evaluating {attribute}", ["eval", "--raw", Reference(attribute)], cancellationToken)).Trim();

    /// <summary><c>nix build --json --no-link DIR#ATTR</c>: the output paths. An offline failure says so and names <paramref name="derivation"/>.</summary>
    public async Task<IReadOnlyList<string>> BuildAsync(string step, string attribute, string? derivation, CancellationToken cancellationToken)
    {
        var result = await ProcessRunner.RunAsync(_nix, Arguments(["build", "--json", "--no-link", Reference(attribute)]), Options(), cancellationToken);
        if (!result.Ok)
        {
            throw NixBuildFailure.From(step, attribute, derivation, result.Stderr, Directory);
        }
        return NixBuildOutput.Paths(result.Stdout);
    }

    private async Task<string> RunAsync(string step, string what, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var result = await ProcessRunner.RunAsync(_nix, Arguments(args), Options(), cancellationToken);
        return result.Ok ? result.Stdout : throw new NixException(step, what, NixError.Parse(result.Stderr, Directory));
    }

    private List<string> Arguments(IReadOnlyList<string> args)
    {
        var all = new List<string>(args);
        all.AddRange(_features);
        foreach (var (input, reference) in _overrides)
        {
            all.AddRange(["--override-input", input, reference]);
        }
        if (_overrides.Count > 0)
        {
            all.Add("--no-write-lock-file");
        }
        return all;
    }

    private string Reference(string attribute) => $"{Directory}#{attribute}";

    private ProcessOptions Options() => new() { WorkingDirectory = Directory, Environment = Environment?.ToDictionary() };
}
