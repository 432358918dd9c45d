using System.Text.RegularExpressions;

namespace Drover.Proxmox;

/// <summary>
/// Proxmox tags (<c>pve-tag-list</c>): each tag matches <c>[a-z0-9_][a-z0-9_\-\+\.]*</c> (Proxmox compares
/// case-insensitively); the API writes them separated by <c>;</c> and reads <c>;</c>, <c>,</c> or whitespace.
/// </summary>
public static partial class ProxmoxTags
{
    /// <summary>The separator Proxmox writes.</summary>
    public const char Separator = ';';

    public static bool IsValid(string? tag) => tag is not null && TagPattern().IsMatch(tag);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid tag.</summary>
    public static void ThrowIfInvalid(IEnumerable<string> tags, string? paramName = null)
    {
        ArgumentNullException.ThrowIfNull(tags);
        foreach (var tag in tags)
        {
            if (!IsValid(tag))
            {
                throw new ArgumentException($"'{tag}' is not a valid Proxmox tag (letters, digits, '_' first, then also '-', '+', '.')", paramName);
            }
        }
    }

    /// <summary>Splits a wire value (<c>a;b</c>, <c>a,b</c> or <c>a b</c>) into tags; null or empty gives none.</summary>
    public static IReadOnlyList<string> Parse(string? value)
        => string.IsNullOrWhiteSpace(value) ? [] : value.Split([';', ',', ' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Joins tags with <c>;</c> after validating each; duplicates are dropped, the order is kept.</summary>
    public static string Format(IEnumerable<string> tags)
    {
        var list = tags.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        ThrowIfInvalid(list, nameof(tags));
        return string.Join(Separator, list);
    }

    [GeneratedRegex(@"^[a-z0-9_][a-z0-9_\-\+\.]*$", RegexOptions.IgnoreCase)]
    private static partial Regex TagPattern();
}
