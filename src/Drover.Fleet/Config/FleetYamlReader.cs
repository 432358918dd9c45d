using System.Globalization;

namespace Drover.Fleet.Config;

/// <summary>
/// Reads typed fields out of a fleet file's YAML tree for the section readers, collecting every problem as a
/// <see cref="FleetDiagnostic"/> and recording where each field was written (its <see cref="FleetFile.Sources"/>).
/// </summary>
/// <remarks>
/// A missing key or a null value is "not set"; a value of the wrong shape is an error naming the expected type. Fields are
/// named by dotted path: <paramref name="path"/> is the fleet file as given, used in every location.
/// </remarks>
internal sealed class FleetYamlReader(string path)
{
    private readonly List<FleetDiagnostic> _diagnostics = [];
    private readonly Dictionary<string, SourceLocation> _sources = new(StringComparer.Ordinal);

    /// <summary>The fleet file as given.</summary>
    public string Path { get; } = path;

    /// <summary>The directory relative paths in the file (templates, key files) resolve against.</summary>
    public string BaseDirectory { get; } = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? ".";

    /// <summary>The problems found so far, in the order found.</summary>
    public IReadOnlyList<FleetDiagnostic> Diagnostics => _diagnostics;

    /// <summary>Where each field read so far was written.</summary>
    public SourceMap Sources => new(_sources);

    public static string Join(string parent, string key) => parent.Length == 0 ? key : $"{parent}.{key}";

    public void Error(YamlPos pos, string field, string message) => _diagnostics.Add(new FleetDiagnostic(Loc(pos), field, message));

    /// <summary>Records that <paramref name="field"/> was written at <paramref name="pos"/>.</summary>
    public void Record(string field, YamlPos pos) => _sources[field] = Loc(pos);

    public string? String(YamlMap map, string key, string parent) => Value<YamlScalar>(map, key, parent, "a string")?.Value;

    /// <summary>
    /// A YAML boolean: a plain <c>true</c> or <c>false</c> (also <c>True</c>, <c>FALSE</c>, as YAML 1.2's core schema
    /// spells them). A quoted <c>"true"</c> is a string, and <c>yes</c> or <c>1</c> are not booleans: each is an error.
    /// </summary>
    public bool? Bool(YamlMap map, string key, string parent) =>
        Value<YamlScalar>(map, key, parent, "true or false (a YAML boolean, unquoted)", s => ParseBool(s) is not null) is { } s ? ParseBool(s) : null;

    /// <summary>A positive integer (an ID).</summary>
    public long? Long(YamlMap map, string key, string parent) =>
        Value<YamlScalar>(map, key, parent, "a positive integer ID", s => PositiveInteger(s.Value) is not null) is { } s ? PositiveInteger(s.Value) : null;

    /// <summary>A mapping; recorded at its key.</summary>
    public YamlMap? Map(YamlMap map, string key, string parent) => Value<YamlMap>(map, key, parent, "a mapping", atKey: true);

    /// <summary>A list; recorded at its key.</summary>
    public YamlSeq? Seq(YamlMap map, string key, string parent) => Value<YamlSeq>(map, key, parent, "a list", atKey: true);

    /// <summary>A list of non-empty strings; each item is recorded as <c>field[i]</c>, and each other item is an error.</summary>
    public List<string> StringList(YamlMap map, string key, string parent)
    {
        var result = new List<string>();
        var field = Join(parent, key);
        if (Seq(map, key, parent) is not { } seq)
        {
            return result;
        }
        for (var i = 0; i < seq.Items.Count; i++)
        {
            if (seq.Items[i] is YamlScalar { IsNull: false } s && s.Value.Length > 0)
            {
                Record($"{field}[{i}]", s.Start);
                result.Add(s.Value);
            }
            else
            {
                Error(seq.Items[i].Start, $"{field}[{i}]", $"expected a string, got {seq.Items[i].Describe()}");
            }
        }
        return result;
    }

    /// <summary>A mapping of strings to strings (a null value is the empty string); repeated keys are errors, the first wins.</summary>
    public Dictionary<string, string> StringMap(YamlMap map, string key, string parent)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var field = Join(parent, key);
        if (Map(map, key, parent) is not { } m)
        {
            return result;
        }
        foreach (var (k, v) in UniqueEntries(m, field))
        {
            var entryField = $"{field}.{k.Value}";
            if (v is YamlScalar s)
            {
                Record(entryField, s.Start);
                result[k.Value] = s.IsNull ? "" : s.Value;
            }
            else
            {
                Error(v.Start, entryField, $"expected a string, got {v.Describe()}");
            }
        }
        return result;
    }

    /// <summary>Reports the keys of a mapping that are not <paramref name="allowed"/> (with a suggestion), then repeated keys.</summary>
    public void CheckKeys(YamlMap map, string field, IReadOnlyList<string> allowed)
    {
        foreach (var (key, _) in map.Entries)
        {
            if (!allowed.Contains(key.Value))
            {
                var hint = TypoSuggester.DidYouMean(key.Value, allowed) is { } near ? $" (did you mean '{near}'?)" : $" (expected one of: {string.Join(", ", allowed)})";
                Error(key.Start, Join(field, key.Value), "unknown key" + hint);
            }
        }
        UniqueEntries(map, field);
    }

    /// <summary>The entries of a mapping without repeated keys (the first wins); each repeat is reported, here and only here.</summary>
    public List<KeyValuePair<YamlScalar, YamlNodeBase>> UniqueEntries(YamlMap map, string field)
    {
        var first = new Dictionary<string, YamlScalar>(StringComparer.Ordinal);
        var repeats = new HashSet<YamlScalar>();
        foreach (var (key, _) in map.Entries)
        {
            if (!first.TryAdd(key.Value, key))
            {
                repeats.Add(key);
                Error(key.Start, Join(field, key.Value), $"duplicate key (first set at line {first[key.Value].Start.Line})");
            }
        }
        return [.. map.Entries.Where(e => !repeats.Contains(e.Key))];
    }

    /// <summary>
    /// The value of <paramref name="key"/> if it is a <typeparamref name="TNode"/> that <paramref name="accept"/> takes; null
    /// if it is missing or null; otherwise null and an error "expected <paramref name="expected"/>". A value is recorded at
    /// its own position, or with <paramref name="atKey"/> at its key's.
    /// </summary>
    private TNode? Value<TNode>(YamlMap map, string key, string parent, string expected, Func<TNode, bool>? accept = null, bool atKey = false)
        where TNode : YamlNodeBase
    {
        var field = Join(parent, key);
        switch (map[key])
        {
            case null:
            case YamlScalar { IsNull: true }:
                return null;
            case TNode node when accept is null || accept(node):
                Record(field, atKey ? map.KeyNode(key)!.Start : node.Start);
                return node;
            case var other:
                Error(other.Start, field, $"expected {expected}, got {other.Describe()}");
                return null;
        }
    }

    private static bool? ParseBool(YamlScalar scalar) =>
        scalar.Style == YamlDotNet.Core.ScalarStyle.Plain && scalar.Tag is null or "!!bool" or "tag:yaml.org,2002:bool"
            ? scalar.Value switch
            {
                "true" or "True" or "TRUE" => true,
                "false" or "False" or "FALSE" => false,
                _ => null,
            }
            : null;

    private static long? PositiveInteger(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : null;

    private SourceLocation Loc(YamlPos pos) => new(Path, pos.Line, pos.Column);
}
