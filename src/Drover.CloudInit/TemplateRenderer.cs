using System.Text;
using System.Text.RegularExpressions;
using Drover.Core.Text;

namespace Drover.CloudInit;

/// <summary>
/// Substitutes placeholders in one template, line by line.
/// <list type="bullet">
/// <item><c>${NAME}</c> is replaced by its value; scalars inline, as they are (no quoting).</item>
/// <item><c>$${NAME}</c> renders a literal <c>${NAME}</c>; <c>$VAR</c> without braces is left alone.</item>
/// <item>A list placeholder that is a whole value (<c>key: ${X}</c>, <c>- ${X}</c>, or alone on a line)
/// becomes a YAML block list indented for where it stands; anywhere else its items are joined with <c>", "</c>.</item>
/// <item>On comment lines (first non-blank character <c>#</c>, after the first line) lists are always joined
/// and a placeholder without a value is left as it is, so commented-out examples do not fail.</item>
/// <item>An unknown placeholder, or one without a value outside a comment, is an error naming it.</item>
/// </list>
/// </summary>
internal static partial class TemplateRenderer
{
    private const string ItemSeparator = ", ";

    public static string Render(UserDataTemplate template, IReadOnlyDictionary<string, PlaceholderValue> values)
    {
        var output = new StringBuilder(template.Text.Length);
        var lines = template.Text.Split('\n');
        for (var index = 0; index < lines.Length; index++)
        {
            var line = lines[index];
            var carriageReturn = line.EndsWith('\r') ? "\r" : "";
            if (carriageReturn.Length > 0)
            {
                line = line[..^1];
            }

            output.Append(RenderLine(template.SourceName, index + 1, line, carriageReturn, values));
            if (index < lines.Length - 1)
            {
                output.Append(carriageReturn).Append('\n');
            }
        }

        return output.ToString();
    }

    private static string RenderLine(string source, int lineNumber, string line, string newline, IReadOnlyDictionary<string, PlaceholderValue> values)
    {
        var tokens = Token().Matches(line);
        if (tokens.Count == 0)
        {
            return line;
        }

        var isComment = lineNumber > 1 && line.TrimStart().StartsWith('#');

        foreach (Match token in tokens)
        {
            if (token.Groups["escape"].Success)
            {
                continue;
            }

            var name = token.Groups["name"].Value;
            var column = token.Index + 1;
            if (!token.Groups["close"].Success)
            {
                throw new UserDataException(source, lineNumber, column, $"unterminated placeholder '${{{name}' (write $${{ for a literal ${{)");
            }

            if (!values.TryGetValue(name, out var value))
            {
                var known = string.Join(", ", values.Keys.Select(k => $"${{{k}}}"));
                throw new UserDataException(source, lineNumber, column,
                    $"unknown placeholder ${{{name}}}; known placeholders: {known} (write $${{{name}}} for a literal ${{{name}}})");
            }

            if (value.IsMissing && !isComment)
            {
                throw new UserDataException(source, lineNumber, column, $"placeholder ${{{name}}} has no value: {value.MissingReason}");
            }
        }

        if (!isComment && tokens.Count == 1 && TryRenderBlockList(line, tokens[0], newline, values, out var block))
        {
            return block;
        }

        return Token().Replace(line, token =>
        {
            if (token.Groups["escape"].Success)
            {
                return token.Value[1..];
            }

            var value = values[token.Groups["name"].Value];
            if (value.IsMissing)
            {
                return token.Value;
            }

            return value.IsList ? string.Join(ItemSeparator, value.Items!) : value.Text!;
        });
    }

    private static bool TryRenderBlockList(string line, Match token, string newline, IReadOnlyDictionary<string, PlaceholderValue> values, out string block)
    {
        block = "";
        if (token.Groups["escape"].Success || !values[token.Groups["name"].Value].IsList)
        {
            return false;
        }

        var items = values[token.Groups["name"].Value].Items!;
        var before = line[..token.Index];
        var after = line[(token.Index + token.Length)..];
        if (!string.IsNullOrWhiteSpace(after) && !after.TrimStart().StartsWith('#'))
        {
            return false;
        }

        string itemIndent;
        string head;
        if (string.IsNullOrWhiteSpace(before))
        {
            // Alone on a line: the list stands where the placeholder stood.
            (head, itemIndent) = ("", before);
        }
        else if (ListItem().Match(before) is { Success: true } item)
        {
            // "- ${X}": the items are spliced into the enclosing list.
            (head, itemIndent) = ("", item.Groups["indent"].Value);
        }
        else if (KeyValue().Match(before) is { Success: true } key)
        {
            // "key: ${X}": the list is the key's value, two columns right of the key.
            head = key.Groups["head"].Value + (after.Trim().Length > 0 ? " " + after.Trim() : "") + newline + "\n";
            itemIndent = new string(' ', key.Groups["prefix"].Value.Length + 2);
        }
        else
        {
            return false;
        }

        var lines = items.Select(i => itemIndent + "- " + YamlQuote.Quote(i));
        block = head + string.Join(newline + "\n", lines);
        return true;
    }

    [GeneratedRegex(@"\$(?<escape>\$)?\{(?<name>[^}\r\n]*)(?<close>\})?")]
    private static partial Regex Token();

    [GeneratedRegex(@"^(?<indent>[ ]*)-[ ]+$")]
    private static partial Regex ListItem();

    [GeneratedRegex(@"^(?<head>(?<prefix>[ ]*(?:-[ ]+)?)[^\s#\-][^#]*?:)[ ]+$")]
    private static partial Regex KeyValue();
}
