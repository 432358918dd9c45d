using System.Text.RegularExpressions;

namespace Drover.Images.Nix;

/// <summary>
/// What Nix said when an evaluation or a build failed: its message (warnings and the <c>--show-trace</c> hint left out)
/// and, where Nix names one, the file and line, mapped from the store copy of a flake back to the user's own file.
/// Nix names a line for syntax errors and <c>throw</c>/<c>abort</c> with a position; for an option's type error it names
/// the file only, and the line is found where that file sets the option.
/// </summary>
public sealed partial record NixError(string Message, string? File, int? Line, int? Column)
{
    /// <summary><c>file:line:column: </c> (as much as is known), or empty.</summary>
    public string Location => File is null ? "" : $"{File}{(Line is { } l ? $":{l}" : "")}{(Line is not null && Column is { } c ? $":{c}" : "")}: ";

    /// <summary>Reads Nix's standard error. <paramref name="flakeDirectory"/> maps <c>/nix/store/HASH-source/REL</c> back to a file there.</summary>
    public static NixError Parse(string stderr, string? flakeDirectory)
    {
        var lines = stderr.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var first = Array.FindIndex(lines, l => l.StartsWith("error:", StringComparison.Ordinal));
        var body = (first < 0 ? lines.Where(l => l.Trim().Length > 0) : lines.Skip(first))
            .Where(l => !l.StartsWith("warning:", StringComparison.Ordinal) && !l.Contains("--show-trace", StringComparison.Ordinal))
            .Select(l => l.TrimEnd())
            .ToList();
        while (body.Count > 0 && body[^1].Length == 0)
        {
            body.RemoveAt(body.Count - 1);
        }
        var message = string.Join("\n", body).Trim();
        if (message.StartsWith("error:", StringComparison.Ordinal))
        {
            message = message["error:".Length..].Trim();
        }
        message = BlankLines().Replace(Dedent(message), "\n");
        if (message.Length == 0)
        {
            message = "nix failed without a message";
        }

        if (At().Match(stderr) is { Success: true } at)
        {
            var file = Map(at.Groups[1].Value, flakeDirectory);
            return new NixError(message, file, int.Parse(at.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(at.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture));
        }
        if (OptionIn().Match(stderr) is { Success: true } option)
        {
            var file = Map(option.Groups[2].Value, flakeDirectory);
            return new NixError(message, file, LineSetting(file, option.Groups[1].Value), null);
        }
        if (FailedAssertion().Match(message) is { Success: true } assertion && flakeDirectory is not null
            && FindText(flakeDirectory, assertion.Groups[1].Value.Trim()) is { } found)
        {
            return new NixError(message, found.File, found.Line, null);
        }
        return new NixError(message, null, null, null);
    }

    /// <summary>Nix indents the lines after its first by the width of "error: "; they lose their common indentation here.</summary>
    private static string Dedent(string message)
    {
        var lines = message.Split('\n');
        var indent = lines.Skip(1).Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join("\n", lines.Select((l, i) => i == 0 ? l : l.Length >= indent ? l[indent..] : l.TrimStart()));
    }

    /// <summary>
    /// Where a failed assertion's message is written in the flake's own .nix files (Nix names no place for it): the first
    /// line holding the message's opening words (up to an interpolation), or null.
    /// </summary>
    internal static (string File, int Line)? FindText(string flakeDirectory, string message)
    {
        var literal = message.Length > 40 ? message[..40] : message;
        if (literal.Length < 8)
        {
            return null;
        }
        var files = System.IO.Directory.EnumerateFiles(flakeDirectory, "*.nix", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 4 })
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var lines = System.IO.File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].Contains(literal, StringComparison.Ordinal))
                {
                    return (file, i + 1);
                }
            }
        }
        return null;
    }

    /// <summary>A store path of a flake's source as the user's file, when that file exists under the flake (or a parent, for a flake in a subdirectory of a repository).</summary>
    internal static string Map(string path, string? flakeDirectory)
    {
        var store = StoreSource().Match(path);
        if (!store.Success || flakeDirectory is null)
        {
            return path;
        }
        var relative = store.Groups[1].Value;
        for (var dir = Path.GetFullPath(flakeDirectory); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            var candidate = Path.Combine(dir, relative);
            if (System.IO.File.Exists(candidate))
            {
                return candidate;
            }
        }
        return path;
    }

    /// <summary>The line of <paramref name="file"/> that sets <paramref name="option"/> (its full path, or its last part followed by '='), or null.</summary>
    internal static int? LineSetting(string file, string option)
    {
        if (!System.IO.File.Exists(file))
        {
            return null;
        }
        var lines = System.IO.File.ReadAllLines(file);
        var last = option.Split('.')[^1].Trim('"');
        foreach (var pattern in new[] { Regex.Escape(option), @"(^|[\s{.""])" + Regex.Escape(last) + @"""?" })
        {
            var regex = new Regex(pattern + @"\s*=(?!=)");
            for (var i = 0; i < lines.Length; i++)
            {
                if (regex.IsMatch(lines[i]) && !lines[i].TrimStart().StartsWith('#'))
                {
                    return i + 1;
                }
            }
        }
        return null;
    }

    [GeneratedRegex(@"\bat (/[^\s:]+):(\d+):(\d+)")]
    private static partial Regex At();

    [GeneratedRegex(@"option(?: value)? `([^']+)' (?:in|defined in) `(/[^']+)'")]
    private static partial Regex OptionIn();

    [GeneratedRegex(@"^/nix/store/[0-9a-z]{32}-source/(.+)$")]
    private static partial Regex StoreSource();

    [GeneratedRegex(@"Failed assertions:\s*\n\s*- ([^\n]+)")]
    private static partial Regex FailedAssertion();

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex BlankLines();
}
