namespace Drover.Fleet.Config;

/// <summary>Field paths to their positions in the file.</summary>
public sealed class SourceMap
{
    private readonly Dictionary<string, SourceLocation> _map;

    public SourceMap(IDictionary<string, SourceLocation> map) => _map = new Dictionary<string, SourceLocation>(map, StringComparer.Ordinal);

    public static SourceMap Empty { get; } = new(new Dictionary<string, SourceLocation>());

    /// <summary>The location of <paramref name="path"/>, or of its nearest written parent (<c>hosts.web1.image</c> → <c>hosts.web1</c>).</summary>
    public SourceLocation? Find(string path)
    {
        for (var p = path; p.Length > 0; p = Parent(p))
        {
            if (_map.TryGetValue(p, out var location))
            {
                return location;
            }
        }
        return null;
    }

    private static string Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut <= 0 ? "" : path[..cut];
    }
}
