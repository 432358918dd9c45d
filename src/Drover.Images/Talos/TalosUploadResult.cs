using Drover.Images.Upload;

namespace Drover.Images.Talos;

/// <summary>How the import of one architecture ended: the upload's result, or the error it failed with (what it created is deleted).</summary>
public sealed record TalosUploadResult(TalosImage Image, string ManifestPath, UploadResult? Upload, Exception? Error)
{
    /// <summary>Whether a snapshot holds the image now (uploaded, or an identical one reused).</summary>
    public bool Succeeded => Upload is not null;
}
