using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Drover.Fleet.Config;

/// <summary>A position in YAML text: 0-based character index, 1-based line and column.</summary>
internal readonly record struct YamlPos(int Index, int Line, int Column)
{
    public static YamlPos From(Mark mark) => new((int)mark.Index, (int)mark.Line, (int)mark.Column);
}

/// <summary>
/// A small YAML node tree built from parser events. Unlike YamlDotNet's representation model it keeps duplicate keys
/// (so they can be reported with their position), the flow/block style and the start and end of every node.
/// </summary>
internal abstract class YamlNodeBase(YamlPos start, YamlPos end)
{
    public YamlPos Start { get; } = start;

    /// <summary>Where the parser ended the node; for block collections this can lie after trailing comments.</summary>
    public YamlPos End { get; } = end;

    /// <summary>The index just after the node's last character of content (scalars and flow collections: <see cref="End"/>).</summary>
    public abstract int ContentEnd { get; }

    public abstract string Describe();
}

internal sealed class YamlScalar(string value, ScalarStyle style, string? tag, YamlPos start, YamlPos end) : YamlNodeBase(start, end)
{
    public string Value { get; } = value;
    public ScalarStyle Style { get; } = style;
    public string? Tag { get; } = tag;

    /// <summary>A plain <c>~</c>, <c>null</c> or nothing at all.</summary>
    public bool IsNull => Style == ScalarStyle.Plain && Tag is null or "!!null" or "tag:yaml.org,2002:null" && Value is "" or "~" or "null" or "Null" or "NULL";

    public override int ContentEnd => End.Index;

    public override string Describe() => IsNull ? "nothing (null)" : $"the scalar '{Value}'";
}

internal sealed class YamlMap(bool flow, YamlPos start, YamlPos end, List<KeyValuePair<YamlScalar, YamlNodeBase>> entries) : YamlNodeBase(start, end)
{
    public bool Flow { get; } = flow;
    public List<KeyValuePair<YamlScalar, YamlNodeBase>> Entries { get; } = entries;

    public YamlNodeBase? this[string key] => Entries.FirstOrDefault(e => e.Key.Value == key).Value;

    public YamlScalar? KeyNode(string key) => Entries.FirstOrDefault(e => e.Key.Value == key).Key;

    public override int ContentEnd => Flow || Entries.Count == 0 ? End.Index : EntryEnd(Entries[^1]);

    /// <summary>The end of an entry's content; an entry without a value ends with its key (the parser places empty values at the next token).</summary>
    public static int EntryEnd(KeyValuePair<YamlScalar, YamlNodeBase> entry)
        => entry.Value is YamlScalar { Value: "", Style: ScalarStyle.Plain } ? entry.Key.End.Index : entry.Value.ContentEnd;

    public override string Describe() => "a mapping";
}

internal sealed class YamlSeq(bool flow, YamlPos start, YamlPos end, List<YamlNodeBase> items) : YamlNodeBase(start, end)
{
    public bool Flow { get; } = flow;
    public List<YamlNodeBase> Items { get; } = items;

    public override int ContentEnd => Flow || Items.Count == 0 ? End.Index : Items[^1].ContentEnd;

    public override string Describe() => "a list";
}

/// <summary>A problem found while reading YAML: where, and what.</summary>
internal sealed record YamlProblem(YamlPos Position, string Message);

/// <summary>Reads YAML text into <see cref="YamlNodeBase"/> trees.</summary>
internal static class YamlTree
{
    /// <summary>
    /// The first document's root (null for an empty file). Syntax errors, non-scalar keys and further documents are added
    /// to <paramref name="problems"/>; a syntax error returns null.
    /// </summary>
    public static YamlNodeBase? Read(string text, List<YamlProblem> problems)
    {
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, YamlNodeBase>(StringComparer.Ordinal);
        try
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                return null;
            }
            parser.Consume<DocumentStart>();
            var root = ReadNode(text, parser, anchors, problems);
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var second))
            {
                problems.Add(new YamlProblem(YamlPos.From(second.Start), "only one YAML document is allowed"));
            }
            return root;
        }
        catch (YamlException e)
        {
            var message = e.InnerException is YamlException inner ? inner.Message : e.Message;
            problems.Add(new YamlProblem(YamlPos.From(e.Start), message));
            return null;
        }
    }

    /// <summary>The parser ends a flow collection at its closing bracket; the node ends after it.</summary>
    private static YamlPos FlowEnd(string text, Mark end, char bracket)
    {
        var pos = YamlPos.From(end);
        return pos.Index < text.Length && text[pos.Index] == bracket ? pos with { Index = pos.Index + 1, Column = pos.Column + 1 } : pos;
    }

    private static YamlNodeBase ReadNode(string text, IParser parser, Dictionary<string, YamlNodeBase> anchors, List<YamlProblem> problems)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (anchors.TryGetValue(alias.Value.Value, out var target))
            {
                return target;
            }
            throw new YamlException(alias.Start, alias.End, $"unknown alias '*{alias.Value.Value}'");
        }
        YamlNodeBase node;
        string anchor;
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            var tag = scalar.Tag.IsEmpty ? null : scalar.Tag.Value;
            node = new YamlScalar(scalar.Value, scalar.Style, tag, YamlPos.From(scalar.Start), YamlPos.From(scalar.End));
            anchor = scalar.Anchor.IsEmpty ? "" : scalar.Anchor.Value;
        }
        else if (parser.TryConsume<SequenceStart>(out var seqStart))
        {
            var items = new List<YamlNodeBase>();
            while (!parser.Accept<SequenceEnd>(out _))
            {
                items.Add(ReadNode(text, parser, anchors, problems));
            }
            var seqEnd = parser.Consume<SequenceEnd>();
            node = new YamlSeq(seqStart.Style == SequenceStyle.Flow, YamlPos.From(seqStart.Start), FlowEnd(text, seqEnd.End, ']'), items);
            anchor = seqStart.Anchor.IsEmpty ? "" : seqStart.Anchor.Value;
        }
        else
        {
            var mapStart = parser.Consume<MappingStart>();
            var entries = new List<KeyValuePair<YamlScalar, YamlNodeBase>>();
            while (!parser.Accept<MappingEnd>(out _))
            {
                var key = ReadNode(text, parser, anchors, problems);
                var value = ReadNode(text, parser, anchors, problems);
                if (key is YamlScalar k)
                {
                    entries.Add(new(k, value));
                }
                else
                {
                    problems.Add(new YamlProblem(key.Start, $"a key must be a plain string, not {key.Describe()}"));
                }
            }
            var mapEnd = parser.Consume<MappingEnd>();
            node = new YamlMap(mapStart.Style == MappingStyle.Flow, YamlPos.From(mapStart.Start), FlowEnd(text, mapEnd.End, '}'), entries);
            anchor = mapStart.Anchor.IsEmpty ? "" : mapStart.Anchor.Value;
        }
        if (anchor.Length > 0)
        {
            anchors[anchor] = node;
        }
        return node;
    }
}
