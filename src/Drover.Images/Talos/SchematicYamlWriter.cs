using System.Globalization;
using System.Text;

namespace Drover.Images.Talos;

/// <summary>
/// A block-style YAML writer with the Go encoder's layout: 4-space indent, sequence items indented under their key,
/// a mapping inside a sequence item starting on the dash line, <c>{}</c>/<c>[]</c> for empty collections, trailing newline.
/// Values: an ordered <see cref="List{T}"/> of key/value pairs (mapping), <see cref="IReadOnlyDictionary{TKey, TValue}"/>
/// (mapping, keys in Go's map-key order), <see cref="IReadOnlyList{T}"/> of object (sequence), or a scalar.
/// </summary>
internal static class SchematicYamlWriter
{
    public const int Indent = 4;

    public static string Write(List<KeyValuePair<string, object?>> root)
    {
        if (root.Count == 0)
        {
            return "{}\n";
        }
        var sb = new StringBuilder();
        WriteMap(sb, root, 0, inline: false);
        return sb.ToString();
    }

    private static List<KeyValuePair<string, object?>>? AsMap(object? value) => value switch
    {
        List<KeyValuePair<string, object?>> m => m,
        IReadOnlyDictionary<string, object?> d => [.. d.OrderBy(kv => kv.Key, GoKeyComparer.Instance)],
        _ => null,
    };

    private static void WriteMap(StringBuilder sb, List<KeyValuePair<string, object?>> entries, int indent, bool inline)
    {
        for (var i = 0; i < entries.Count; i++)
        {
            if (!(inline && i == 0))
            {
                sb.Append(' ', indent);
            }
            sb.Append(GoYamlScalars.FormatString(entries[i].Key, indent, simpleKey: true)).Append(':');
            var value = entries[i].Value;
            if (AsMap(value) is { Count: > 0 } map)
            {
                sb.Append('\n');
                WriteMap(sb, map, indent + Indent, inline: false);
            }
            else if (value is IReadOnlyList<object?> { Count: > 0 } list)
            {
                sb.Append('\n');
                WriteSeq(sb, list, indent + Indent, inline: false);
            }
            else
            {
                WriteInline(sb, value, indent + Indent);
            }
        }
    }

    private static void WriteSeq(StringBuilder sb, IReadOnlyList<object?> items, int indent, bool inline)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (!(inline && i == 0))
            {
                sb.Append(' ', indent);
            }
            sb.Append('-');
            var item = items[i];
            if (AsMap(item) is { Count: > 0 } map)
            {
                sb.Append(' ');
                WriteMap(sb, map, indent + 2, inline: true);
            }
            else if (item is IReadOnlyList<object?> { Count: > 0 } list)
            {
                sb.Append(' ');
                WriteSeq(sb, list, indent + 2, inline: true);
            }
            else
            {
                WriteInline(sb, item, indent + 2);
            }
        }
    }

    /// <summary>A scalar or an empty collection after <c>key:</c> or <c>-</c>.</summary>
    private static void WriteInline(StringBuilder sb, object? value, int blockIndent)
    {
        var text = value switch
        {
            null => "null",
            bool b => b ? "true" : "false",
            string s => GoYamlScalars.FormatString(s, blockIndent),
            double d => GoYamlScalars.FormatFloat(d),
            IFormattable n => n.ToString(null, CultureInfo.InvariantCulture),
            IReadOnlyList<object?> => "[]",
            _ when AsMap(value) is not null => "{}",
            _ => throw new ArgumentException($"cannot write a {value.GetType().Name} as YAML", nameof(value)),
        };
        sb.Append(' ').Append(text);
        if (!text.StartsWith('|'))
        {
            sb.Append('\n');
        }
    }

    /// <summary>The Go encoder's map-key order: letters compare as runes, digit runs compare as numbers.</summary>
    private sealed class GoKeyComparer : IComparer<string>
    {
        public static readonly GoKeyComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            var a = (x ?? "").EnumerateRunes().ToArray();
            var b = (y ?? "").EnumerateRunes().ToArray();
            var digits = false;
            for (var i = 0; i < a.Length && i < b.Length; i++)
            {
                if (a[i] == b[i])
                {
                    digits = Rune.IsDigit(a[i]);
                    continue;
                }
                var al = Rune.IsLetter(a[i]);
                var bl = Rune.IsLetter(b[i]);
                if (al && bl)
                {
                    return a[i].Value.CompareTo(b[i].Value);
                }
                if (al || bl)
                {
                    return (digits ? al : bl) ? -1 : 1;
                }
                long an = 0, bn = 0;
                if (a[i].Value == '0' || b[i].Value == '0')
                {
                    for (var j = i - 1; j >= 0 && Rune.IsDigit(a[j]); j--)
                    {
                        if (a[j].Value != '0')
                        {
                            an = 1;
                            bn = 1;
                            break;
                        }
                    }
                }
                int ai, bi;
                for (ai = i; ai < a.Length && Rune.IsDigit(a[ai]); ai++)
                {
                    an = (an * 10) + (a[ai].Value - '0');
                }
                for (bi = i; bi < b.Length && Rune.IsDigit(b[bi]); bi++)
                {
                    bn = (bn * 10) + (b[bi].Value - '0');
                }
                if (an != bn)
                {
                    return an.CompareTo(bn);
                }
                if (ai != bi)
                {
                    return ai.CompareTo(bi);
                }
                return a[i].Value.CompareTo(b[i].Value);
            }
            return a.Length.CompareTo(b.Length);
        }
    }
}
