using Drover.Core.Processes;

namespace Drover.Images.Upload;

/// <summary>Decompresses an image into a sparse raw file: all-zero 4 MiB blocks become holes, so a later map skips them unread.</summary>
internal static class SparseDecompress
{
    public static async Task ToFileAsync(string source, ImageCompression compression, string target, IProgress<long>? read, CancellationToken ct)
    {
        var decompressor = ImageMagic.Decompressor(compression).Split(' ');
        using var process = ProcessRunner.Start(decompressor[0], [.. decompressor.Skip(1), "--", source], redirectOutput: true, redirectError: true);
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await using var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
            var input = process.StandardOutput.BaseStream;
            var buffer = new byte[BlockMap.DefaultBlockSize];
            long length = 0;
            while (true)
            {
                var n = await input.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct);
                if (n == 0)
                {
                    break;
                }
                if (buffer.AsSpan(0, n).IndexOfAnyExcept((byte)0) >= 0)
                {
                    output.Position = length;
                    await output.WriteAsync(buffer.AsMemory(0, n), ct);
                }
                length += n;
                read?.Report(length);
            }
            output.SetLength(length);
            await process.WaitForExitAsync(ct);
            if (process.ExitCode != 0)
            {
                throw new UploadException("decompress image", $"{string.Join(' ', decompressor)} {source} failed (exit {process.ExitCode}): {(await errors).Trim()}");
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }
    }
}
