using System.Text;

namespace Drover.CloudInit;

/// <summary>
/// The user-data to hand to the cloud (<see cref="Content"/>) and the parts it was made of.
/// One part: the content is that part; several: a MIME <c>multipart/mixed</c> document.
/// </summary>
public sealed record RenderedUserData(string Content, IReadOnlyList<RenderedPart> Parts)
{
    /// <summary>UTF-8 size of <see cref="Content"/>, the size the cloud's limit applies to.</summary>
    public int Bytes => Encoding.UTF8.GetByteCount(Content);

    public bool IsMultipart => Parts.Count > 1;
}
