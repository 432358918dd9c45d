namespace Drover.Proxmox.Contracts;

/// <summary>
/// <c>POST /nodes/{node}/storage/{storage}/upload</c>: content type <c>iso</c> (<c>.iso</c>, <c>.img</c>),
/// <c>vztmpl</c> or <c>import</c> (<c>.qcow2</c>, <c>.raw</c>, <c>.vmdk</c>, <c>.ova</c>). Snippets cannot be
/// uploaded through the API.
/// </summary>
public sealed record UploadFileRequest
{
    /// <summary><see cref="StorageContent.Iso"/>, <c>vztmpl</c> or <c>import</c>.</summary>
    public required string Content { get; init; }

    /// <summary>The file name on the storage (Proxmox normalises it).</summary>
    public required string FileName { get; init; }

    /// <summary>Expected checksum (hex), checked by Proxmox after the upload.</summary>
    public string? Checksum { get; init; }

    public ChecksumAlgorithm? ChecksumAlgorithm { get; init; }

    internal void Validate()
    {
        if (Content is not ("iso" or "vztmpl" or "import"))
        {
            throw new ArgumentException(Content == "snippets"
                ? "snippets cannot be uploaded through the Proxmox API (copy them to the storage's snippets directory over SSH)"
                : $"upload content type '{Content}' is not one of iso, vztmpl, import");
        }
        ArgumentException.ThrowIfNullOrWhiteSpace(FileName);
        if (FileName.IndexOfAny(['/', '"', ';', ',']) >= 0 || FileName.Any(char.IsControl))
        {
            throw new ArgumentException($"upload file name '{FileName}' must be a plain name (no '/', '\"', ';', ',' or control characters)");
        }
        if ((Checksum is null) != (ChecksumAlgorithm is null))
        {
            throw new ArgumentException("an upload checksum needs its algorithm, and the algorithm needs a checksum");
        }
    }
}
