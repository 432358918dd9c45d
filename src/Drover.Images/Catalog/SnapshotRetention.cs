using Drover.Hcloud.Contracts;

namespace Drover.Images.Catalog;

/// <summary>Pure retention policy: which snapshots to keep and which to delete.</summary>
public static class SnapshotRetention
{
    /// <summary>
    /// Keeps the newest <paramref name="keep"/> snapshots of each architecture (newest by <c>created</c>, then by id);
    /// the rest are returned for deletion, except delete-protected ones, which are kept and never counted.
    /// </summary>
    public static IReadOnlyList<Image> ToDelete(IEnumerable<Image> images, int keep)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keep);
        return [.. images
            .Where(i => i.Type == ImageType.Snapshot && !i.Protection.Delete)
            .GroupBy(i => i.Architecture)
            .SelectMany(g => g.OrderByDescending(i => i.Created).ThenByDescending(i => i.Id).Skip(keep))
            .OrderBy(i => i.Id)];
    }
}
