namespace Drover.CloudInit;

/// <summary>One rendered user-data part: its template name, MIME content type and text.</summary>
public sealed record RenderedPart(string SourceName, string ContentType, string Content);
