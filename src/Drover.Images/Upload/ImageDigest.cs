using System.Security.Cryptography;

namespace Drover.Images.Upload;

/// <summary>sha256 of image files, and the <c>drover/digest</c> label value (label values hold at most 63 characters).</summary>
public static class ImageDigest
{
    /// <summary>The label form of a 64-hex digest: its first 63 characters. The full digest goes into the description.</summary>
    public static string Label(string sha256Hex)
    {
        ArgumentException.ThrowIfNullOrEmpty(sha256Hex);
        return sha256Hex.Length > Hcloud.Labels.LabelValidation.MaxNameLength ? sha256Hex[..Hcloud.Labels.LabelValidation.MaxNameLength] : sha256Hex;
    }

    /// <summary>Hashes a file, reporting bytes read.</summary>
    public static async Task<string> OfFileAsync(string path, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan | FileOptions.Asynchronous);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[4 << 20];
        long total = 0;
        int n;
        while ((n = await file.ReadAsync(buffer, cancellationToken)) > 0)
        {
            sha.AppendData(buffer, 0, n);
            total += n;
            progress?.Report(total);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
