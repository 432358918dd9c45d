using System.Text.RegularExpressions;

namespace Drover.Proxmox.Snippets;

/// <summary>Snippet file names: a plain name Proxmox accepts in a volume ID (no '/', no ',' or '=' that would break <c>cicustom</c>).</summary>
public static partial class SnippetNames
{
    public static void ThrowIfInvalid(string fileName)
    {
        if (!Pattern().IsMatch(fileName))
        {
            throw new ArgumentException($"snippet name '{fileName}' must be letters, digits, '-', '_' and '.', not starting with '.'");
        }
    }

    /// <summary>The volume ID of snippet <paramref name="fileName"/> on <paramref name="storage"/>.</summary>
    public static string VolumeId(string storage, string fileName) => $"{storage}:snippets/{fileName}";

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127}$")]
    private static partial Regex Pattern();
}
