namespace Drover.Images.Upload;

/// <summary>Labels a block upload puts on its snapshot, so that a later version can be uploaded as a delta over it.</summary>
public static class BlockLabels
{
    /// <summary>The block record (<see cref="BlockMap.Record"/>): a base's disk must hash to it, or the delta falls back to a full upload.</summary>
    public const string Blocks = "drover/blocks";

    /// <summary>The image's name (<c>--name</c>, by default the file's name up to its first dot): what <c>--base auto</c> matches.</summary>
    public const string Image = "drover/image";

    /// <summary>The snapshot a delta upload started from (provenance only; the snapshot is whole and independent of it).</summary>
    public const string Base = "drover/base";
}

/// <summary>Image names as label values.</summary>
public static class ImageNames
{
    /// <summary>
    /// The name of <paramref name="path"/>'s image: its file name up to the first dot (<c>out/debian.raw.zst</c> →
    /// <c>debian</c>), made a valid label value (letters, digits, '-', '_', '.'; alphanumeric at both ends; 63 at most).
    /// </summary>
    public static string FromPath(string path)
    {
        var file = Path.GetFileName(path);
        var stem = file.Split('.')[0];
        var clean = new string([.. (stem.Length > 0 ? stem : file).Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-')]);
        clean = clean.Length > 63 ? clean[..63] : clean;
        clean = clean.Trim('-', '_', '.');
        return clean.Length == 0 ? "image" : clean;
    }
}
