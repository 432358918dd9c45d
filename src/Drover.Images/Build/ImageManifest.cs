using System.Text.Json;
using System.Text.Json.Serialization;

namespace Drover.Images.Build;

/// <summary>
/// What a builder wrote (or, for images fetched by the rescue system, what it would fetch): written next to
/// the image as <c>*.manifest.json</c> (snake_case JSON) and read back by upload and catalog steps.
/// </summary>
public sealed record ImageManifest
{
    /// <summary>The builder that produced it: <c>debian</c>, <c>nix</c>, <c>talos</c>, <c>url</c>.</summary>
    public required string Builder { get; init; }

    /// <summary><c>x86</c> or <c>arm</c>, as the API names architectures.</summary>
    public required string Architecture { get; init; }

    /// <summary>The image file, or null when the image is not stored locally (fetched from <see cref="Url"/>).</summary>
    public string? Path { get; init; }

    /// <summary>Where the image is downloaded from, or null for a local image.</summary>
    public string? Url { get; init; }

    /// <summary>Lowercase hex sha256 of the image file, or null when not known here.</summary>
    public string? Sha256 { get; init; }

    /// <summary>Size of the image file in bytes, or null when not known here.</summary>
    public long? Size { get; init; }

    /// <summary>Labels the snapshot gets (already valid as API labels).</summary>
    public required IReadOnlyDictionary<string, string> Labels { get; init; }

    /// <summary>Snapshot description; carries values that labels had to shorten.</summary>
    public required string Description { get; init; }

    /// <summary>When the manifest was made.</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>Secret scan result.</summary>
    public required ImageScan Scan { get; init; }

    /// <summary>Talos Image Factory schematic ID (talos builder only).</summary>
    public string? Schematic { get; init; }

    /// <summary>OS version the image holds, when the builder knows it (e.g. <c>v1.12.2</c>).</summary>
    public string? Version { get; init; }

    /// <summary>Writes the manifest as indented JSON (creates the folder).</summary>
    public void Write(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }
        File.WriteAllText(path, ToJson());
    }

    /// <summary>The manifest as indented snake_case JSON with a trailing newline.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, ImageManifestJsonContext.Default.ImageManifest) + "\n";

    /// <summary>Reads a manifest; throws <see cref="InvalidDataException"/> naming the file when it is not one.</summary>
    public static ImageManifest Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), ImageManifestJsonContext.Default.ImageManifest)
                ?? throw new InvalidDataException($"{path}: not an image manifest (null)");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not an image manifest: {e.Message}", e);
        }
    }
}

/// <summary>Secret scan result of an image: <see cref="Scanned"/> false with a <see cref="Reason"/> when it could not be scanned here.</summary>
public sealed record ImageScan(bool Scanned, IReadOnlyList<ScanFinding> Findings, string? Reason = null);

/// <summary>One thing the scanner found: the file inside the image, what kind of secret, and a detail (never the secret itself).</summary>
public sealed record ScanFinding(string Path, string Kind, string Detail);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(ImageManifest))]
internal sealed partial class ImageManifestJsonContext : JsonSerializerContext;
