namespace Drover.CloudInit;

/// <summary>User-data part types, told apart by their first line as cloud-init does.</summary>
public static class ContentTypes
{
    public const string CloudConfig = "text/cloud-config";
    public const string ShellScript = "text/x-shellscript";
    public const string CloudBoothook = "text/cloud-boothook";
    public const string IncludeUrl = "text/x-include-url";

    private static readonly (string Header, string ContentType)[] _byHeader =
    [
        ("#cloud-config", CloudConfig),
        ("#!", ShellScript),
        ("#cloud-boothook", CloudBoothook),
        ("#include", IncludeUrl),
    ];

    public static IEnumerable<string> Headers => _byHeader.Select(h => h.Header);

    /// <summary>The content type for a part's text, or null when its first line names no known type.</summary>
    public static string? Of(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var firstLine = text.Split('\n', 2)[0].TrimEnd('\r');
        foreach (var (header, contentType) in _byHeader)
        {
            var matches = header == "#!"
                ? firstLine.StartsWith(header, StringComparison.Ordinal)
                : firstLine == header || firstLine.StartsWith(header + " ", StringComparison.Ordinal);
            if (matches)
            {
                return contentType;
            }
        }

        return null;
    }
}
