namespace Drover.Images.Upload;

/// <summary>An upload failed at a named step; everything it created has been deleted.</summary>
public sealed class UploadException(string step, string message, Exception? inner = null) : Drover.Core.DroverException($"{step}: {message}", inner)
{
    public string Step { get; } = step;
}
