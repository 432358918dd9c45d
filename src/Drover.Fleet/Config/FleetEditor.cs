using System.Globalization;
using System.Text;
using Drover.Core.Text;
using YamlDotNet.Core;
using K = Drover.Fleet.Config.FleetKeys;

namespace Drover.Fleet.Config;

/// <summary>
/// Edits a fleet file's text the way a careful person would: only the values that change are touched, everything else
/// (comments, key order, blank lines, quoting) stays byte for byte.
/// </summary>
/// <remarks>
/// Scalars are replaced in place (keeping their quoting style); missing keys are added after the host's last key with
/// the host's indentation; removed keys lose their lines. A host written in flow style (<c>web1: {image: 1}</c>) is first
/// rewritten as a block mapping (any comments inside the braces are lost); a <c>hosts:</c> mapping in flow style is
/// refused. A host the file does not have is added at the end of <c>hosts:</c> and needs an image. The result is checked
/// with <see cref="FleetLoader.Parse"/>; an edit that would make the file invalid throws and changes nothing.
/// </remarks>
public static class FleetEditor
{
    /// <summary>Applies <paramref name="changes"/> to host <paramref name="host"/> of the fleet file text; returns the new text.</summary>
    /// <exception cref="FleetConfigException">The file, or the file after the edit, is not a valid fleet file.</exception>
    /// <exception cref="ArgumentException">The host name or the changes are invalid.</exception>
    public static string SetHost(string text, string path, string host, HostChanges changes)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(changes);
        if (!FleetLoader.IsValidHostName(host))
        {
            throw new ArgumentException($"'{host}' is not a valid host name (lowercase letters, digits and '-', at most 63 characters)", nameof(host));
        }
        if (changes.ImageId is not null && changes.ImageSelector is not null)
        {
            throw new ArgumentException("set either an image ID or an image selector, not both", nameof(changes));
        }
        var nl = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";

        // Phase 1: make sure the host exists as a non-empty block mapping.
        var root = ReadRoot(text, path);
        var (hostMap, prepared) = EnsureBlockHost(text, path, root, host, changes, nl);
        if (prepared is not null)
        {
            text = prepared;
            root = ReadRoot(text, path);
            hostMap = (YamlMap)((YamlMap)root[K.Hosts]!)[host]!;
        }

        // Phase 2: set, add and remove keys of the host.
        var patches = new List<Patch>();
        var edits = new List<(string Key, string? Value)>();
        if (changes.ImageId is { } id)
        {
            edits.Add((K.Image, id.ToString(CultureInfo.InvariantCulture)));
            edits.Add((K.ImageSelector, null));
            edits.Add((K.Architecture, null));
        }
        if (changes.ImageSelector is { } selector)
        {
            edits.Add((K.ImageSelector, Quote(selector)));
            edits.Add((K.Image, null));
        }
        if (changes.Architecture is { } arch)
        {
            edits.Add((K.Architecture, Render(arch)));
        }
        if (changes.ServerType is { } type)
        {
            edits.Add((K.ServerType, Render(type)));
        }
        if (changes.Location is { } location)
        {
            edits.Add((K.Location, Render(location)));
        }
        if (changes.Role is { } role)
        {
            edits.Add((K.Role, Render(role)));
        }
        var extra = new StringBuilder();
        if (changes.Labels.Count > 0)
        {
            EditLabels(text, hostMap, changes.Labels, patches, extra, nl);
        }
        EditBlock(text, hostMap, edits, patches, extra, nl);

        var result = Apply(text, patches);
        FleetLoader.Parse(result, path);
        return result;
    }

    private static YamlMap ReadRoot(string text, string path)
    {
        var problems = new List<YamlProblem>();
        if (YamlTree.Read(text, problems) is YamlMap root && problems.Count == 0)
        {
            return root;
        }
        FleetLoader.Parse(text, path);
        throw new FleetConfigException(new FleetDiagnostic(null, path, "not a fleet file"));
    }

    /// <summary>Adds the host, or rewrites an empty or flow-style host as a block mapping; returns the new text, or null when nothing had to change.</summary>
    private static (YamlMap Host, string? Text) EnsureBlockHost(string text, string path, YamlMap root, string host, HostChanges changes, string nl)
    {
        var hosts = root[K.Hosts];
        if (hosts is YamlMap { Flow: false } block && block[host] is YamlMap { Flow: false, Entries.Count: > 0 } existing)
        {
            return (existing, null);
        }
        if (hosts is YamlMap { Flow: false } map && map.Entries.FirstOrDefault(e => e.Key.Value == host) is { Key: not null } entry)
        {
            // A flow-style or empty host: rewrite it as a block mapping of the same entries.
            if (entry.Value is YamlSeq or YamlScalar { IsNull: false })
            {
                FleetLoader.Parse(text, path);
                throw new FleetConfigException(new FleetDiagnostic(null, $"{K.Hosts}.{host}", "expected a mapping"));
            }
            var hostIndent = entry.Key.Start.Column - 1;
            var childIndent = new string(' ', hostIndent + ChildStep(map));
            var lines = new StringBuilder();
            if (entry.Value is YamlMap flow)
            {
                foreach (var (k, v) in flow.Entries)
                {
                    lines.Append(nl).Append(childIndent).Append(text[k.Start.Index..k.End.Index]).Append(": ").Append(text[v.Start.Index..v.End.Index]);
                }
            }
            if (IsEmpty(entry.Value))
            {
                lines.Append(nl).Append(childIndent).Append(FirstImageLine(host, changes));
            }
            var colon = Colon(text, entry.Key);
            var end = entry.Value is YamlMap ? entry.Value.End.Index : colon + 1;
            return (null!, text[..(colon + 1)] + lines + text[end..]);
        }
        var newHost = new StringBuilder();
        if (hosts is null || hosts is YamlScalar { IsNull: true } || hosts is YamlMap { Entries.Count: 0 })
        {
            newHost.Append("  ").Append(host).Append(':').Append(nl).Append("    ").Append(FirstImageLine(host, changes)).Append(nl);
            if (hosts is null)
            {
                var prefix = text.Length == 0 || text.EndsWith('\n') ? "" : nl;
                return (null!, text + prefix + K.Hosts + ":" + nl + newHost);
            }
            var key = root.KeyNode(K.Hosts)!;
            if (hosts is YamlMap emptyFlow)
            {
                var body = newHost.ToString().TrimEnd('\r', '\n');
                return (null!, text[..emptyFlow.Start.Index].TrimEnd(' ') + nl + body + text[emptyFlow.End.Index..]);
            }
            var at = LineEnd(text, key.End.Index);
            return (null!, Insert(text, at, newHost.ToString(), nl));
        }
        if (hosts is YamlMap { Flow: false } hostsMap)
        {
            var hostIndent = hostsMap.Entries[0].Key.Start.Column - 1;
            newHost.Append(new string(' ', hostIndent)).Append(host).Append(':').Append(nl)
                .Append(new string(' ', hostIndent + ChildStep(hostsMap))).Append(FirstImageLine(host, changes)).Append(nl);
            var at = AfterOwnComments(text, LineEnd(text, hostsMap.ContentEnd), hostIndent + 1);
            return (null!, Insert(text, at, newHost.ToString(), nl));
        }
        throw new FleetConfigException(new FleetDiagnostic(
            new SourceLocation(path, hosts.Start.Line, hosts.Start.Column), K.Hosts,
            "written in flow style ({...}); write it as a block mapping (one host per line) to edit it"));

        static bool IsEmpty(YamlNodeBase value) => value is YamlScalar or YamlMap { Entries.Count: 0 };
    }

    /// <summary>The first line of a new host: its image.</summary>
    private static string FirstImageLine(string host, HostChanges changes)
    {
        if (changes.ImageId is { } id)
        {
            return $"{K.Image}: {id.ToString(CultureInfo.InvariantCulture)}";
        }
        if (changes.ImageSelector is { } selector)
        {
            return $"{K.ImageSelector}: {Quote(selector)}";
        }
        throw new ArgumentException($"host '{host}' is new (or empty) and needs an image: give an image ID or an image selector", nameof(changes));
    }

    /// <summary>How much deeper than a host's key its settings are indented (from the first block host; else 2).</summary>
    private static int ChildStep(YamlMap hosts)
    {
        foreach (var (key, value) in hosts.Entries)
        {
            if (value is YamlMap { Flow: false, Entries.Count: > 0 } m && m.Entries[0].Key.Start.Column > key.Start.Column)
            {
                return m.Entries[0].Key.Start.Column - key.Start.Column;
            }
        }
        return 2;
    }

    private static void EditLabels(string text, YamlMap host, IReadOnlyDictionary<string, string?> labels, List<Patch> patches, StringBuilder extra, string nl)
    {
        var entry = host.Entries.FirstOrDefault(e => e.Key.Value == K.Labels);
        var indent = host.Entries[0].Key.Start.Column - 1;
        var step = ChildStep(host);
        var sets = labels.Where(l => l.Value is not null).ToList();
        if (entry.Key is null || entry.Value is YamlScalar)
        {
            if (entry.Key is not null)
            {
                patches.Add(RemoveLines(text, entry));
            }
            if (sets.Count > 0)
            {
                extra.Append(new string(' ', indent)).Append(K.Labels).Append(':').Append(nl);
                foreach (var (k, v) in sets)
                {
                    extra.Append(new string(' ', indent + step)).Append(Render(k)).Append(": ").Append(Render(v!)).Append(nl);
                }
            }
            return;
        }
        if (entry.Value is not YamlMap map)
        {
            return; // Not a mapping: the loader reports it after the edit.
        }
        var remaining = map.Entries.Select(e => e.Key.Value).Where(k => !labels.TryGetValue(k, out var v) || v is not null).ToList();
        if (remaining.Count == 0 && !sets.Any(s => map[s.Key] is null))
        {
            patches.Add(RemoveLines(text, entry));
            return;
        }
        if (map.Flow)
        {
            var parts = new List<string>();
            foreach (var (k, v) in map.Entries)
            {
                if (!labels.TryGetValue(k.Value, out var change))
                {
                    parts.Add($"{text[k.Start.Index..k.End.Index]}: {text[v.Start.Index..v.End.Index]}");
                }
                else if (change is not null)
                {
                    parts.Add($"{text[k.Start.Index..k.End.Index]}: {Render(change, (v as YamlScalar)?.Style)}");
                }
            }
            parts.AddRange(sets.Where(s => map[s.Key] is null).Select(s => $"{Render(s.Key)}: {Render(s.Value!)}"));
            patches.Add(new Patch(map.Start.Index, map.End.Index, "{" + string.Join(", ", parts) + "}"));
            return;
        }
        var edits = labels.Select(l => (l.Key, l.Value is null ? null : Render(l.Value))).ToList();
        EditBlock(text, map, edits, patches, new StringBuilder(), nl);
    }

    /// <summary>Sets (value text) or removes (null) keys of a non-empty block mapping; new keys and <paramref name="extra"/> go after its last entry.</summary>
    private static void EditBlock(string text, YamlMap map, List<(string Key, string? Value)> edits, List<Patch> patches, StringBuilder extra, string nl)
    {
        var indent = new string(' ', map.Entries[0].Key.Start.Column - 1);
        var inserts = new StringBuilder();
        var done = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in edits)
        {
            if (!done.Add(key))
            {
                continue;
            }
            var entry = map.Entries.FirstOrDefault(e => e.Key.Value == key);
            if (entry.Key is null)
            {
                if (value is not null)
                {
                    inserts.Append(indent).Append(Render(key)).Append(": ").Append(value).Append(nl);
                }
                continue;
            }
            if (value is null)
            {
                patches.Add(RemoveLines(text, entry));
            }
            else if (entry.Value is YamlScalar { Value.Length: > 0 } s)
            {
                patches.Add(new Patch(s.Start.Index, s.End.Index, Restyle(value, s.Style)));
            }
            else
            {
                var colon = Colon(text, entry.Key);
                patches.Add(new Patch(colon + 1, YamlMap.EntryEnd(entry), " " + value));
            }
        }
        inserts.Append(extra);
        if (inserts.Length > 0)
        {
            var at = AfterOwnComments(text, LineEnd(text, map.ContentEnd), map.Entries[0].Key.Start.Column - 1);
            patches.Add(new Patch(at, at, at == text.Length && text.Length > 0 && !text.EndsWith('\n') ? nl + inserts : inserts.ToString()));
        }
    }

    /// <summary>The value text in the quoting style of the scalar it replaces, where that style can hold it.</summary>
    private static string Restyle(string rendered, ScalarStyle style)
    {
        var plain = rendered.StartsWith('"') ? Unquote(rendered) : rendered;
        return style switch
        {
            ScalarStyle.DoubleQuoted => Quote(plain),
            ScalarStyle.SingleQuoted => "'" + plain.Replace("'", "''", StringComparison.Ordinal) + "'",
            _ => rendered,
        };
    }

    private static string Unquote(string quoted)
        => quoted[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);

    private static string Render(string value, ScalarStyle? style = null)
        => style is ScalarStyle.DoubleQuoted or ScalarStyle.SingleQuoted ? Restyle(Render(value), style.Value) : IsPlainSafe(value) ? value : Quote(value);

    private static string Quote(string value) => YamlQuote.DoubleQuote(value);

    private static bool IsPlainSafe(string value) => YamlQuote.IsPlainSafe(value);

    /// <summary>The index of the ':' after a block mapping key.</summary>
    private static int Colon(string text, YamlScalar key)
    {
        var i = key.End.Index;
        while (i < text.Length && text[i] != ':')
        {
            i++;
        }
        return i;
    }

    /// <summary>The start of the line after the one <paramref name="index"/> is on (or the end of the text).</summary>
    private static int LineEnd(string text, int index)
    {
        if (index > 0 && index <= text.Length && text[index - 1] == '\n')
        {
            return index;
        }
        var nl = text.IndexOf('\n', Math.Min(index, text.Length));
        return nl < 0 ? text.Length : nl + 1;
    }

    private static int LineStart(string text, int index) => index == 0 ? 0 : text.LastIndexOf('\n', index - 1) + 1;

    /// <summary>Moves past comment lines indented at least <paramref name="indent"/> (they belong to the mapping above them).</summary>
    private static int AfterOwnComments(string text, int at, int indent)
    {
        var result = at;
        var i = at;
        while (i < text.Length)
        {
            var newline = text.IndexOf('\n', i);
            var end = newline < 0 ? text.Length : newline + 1;
            var line = text[i..end].TrimEnd('\r', '\n');
            var content = line.TrimStart(' ');
            if (content.Length == 0)
            {
                i = end;
                continue;
            }
            if (content.StartsWith('#') && line.Length - content.Length >= indent)
            {
                result = i = end;
                continue;
            }
            break;
        }
        return result;
    }

    private static Patch RemoveLines(string text, KeyValuePair<YamlScalar, YamlNodeBase> entry)
        => new(LineStart(text, entry.Key.Start.Index), LineEnd(text, YamlMap.EntryEnd(entry)), "");

    private static string Insert(string text, int at, string insertion, string nl)
        => text[..at] + (at == text.Length && text.Length > 0 && !text.EndsWith('\n') ? nl : "") + insertion + text[at..];

    private static string Apply(string text, List<Patch> patches)
    {
        var sb = new StringBuilder(text);
        // Right to left; of patches at one place, the one added last goes first, so text inserted there keeps the order added.
        foreach (var p in patches.Select((p, i) => (p, i)).OrderByDescending(x => x.p.Start).ThenByDescending(x => x.i).Select(x => x.p))
        {
            sb.Remove(p.Start, p.End - p.Start).Insert(p.Start, p.Text);
        }
        return sb.ToString();
    }

    private readonly record struct Patch(int Start, int End, string Text);
}
