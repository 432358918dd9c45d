namespace Drover.Fleet.Config;

/// <summary>A named image under <c>images:</c>, or the inline image of one host.</summary>
public sealed record ImageSpec
{
    /// <summary>The key under <c>images:</c>; for an inline host image, <c>hosts.NAME</c>.</summary>
    public required string Name { get; init; }

    public required ImageKind Kind { get; init; }

    /// <summary>For <see cref="ImageKind.Pinned"/>.</summary>
    public long? Id { get; init; }

    /// <summary>For <see cref="ImageKind.Selector"/>: a label selector as the API understands it.</summary>
    public string? Selector { get; init; }

    /// <summary>For <see cref="ImageKind.Named"/>: the image name, e.g. <c>debian-12</c>.</summary>
    public string? ImageName { get; init; }

    /// <summary><c>x86</c> or <c>arm</c>; when unset, the architecture of the host's server type.</summary>
    public string? Architecture { get; init; }

    /// <summary>Labels a pinned image must carry (e.g. <c>os: debian</c>); a mismatch is refused at plan time.</summary>
    public IReadOnlyDictionary<string, string> ExpectLabels { get; init; } = new Dictionary<string, string>();

    /// <summary>The dotted path of this spec in the file (<c>images.debian</c> or <c>hosts.web1</c>).</summary>
    public required string SourcePath { get; init; }
}
