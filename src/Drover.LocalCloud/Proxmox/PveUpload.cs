namespace Drover.LocalCloud.Proxmox;

/// <summary>The file part of a multipart upload, spooled to <paramref name="TemporaryPath"/> (deleted after the call unless moved).</summary>
public sealed record PveUpload(string FileName, string TemporaryPath, long Size);
