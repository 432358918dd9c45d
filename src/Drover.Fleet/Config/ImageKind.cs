namespace Drover.Fleet.Config;

/// <summary>How an image is chosen.</summary>
public enum ImageKind
{
    /// <summary>A fixed image ID (a snapshot Drover uploaded, usually).</summary>
    Pinned,

    /// <summary>The most recent available image matching a label selector and architecture.</summary>
    Selector,

    /// <summary>A system image by name, e.g. <c>debian-12</c>.</summary>
    Named,
}
