using System.Text.Json;
using System.Text.Json.Serialization;

namespace Drover.Cli.Config;

/// <summary>A named API target. The token is stored in the config file (mode 0600) and never printed.</summary>
public sealed record CloudContext
{
    public required string Name { get; init; }
    public string? Endpoint { get; init; }
    public string? Token { get; init; }

    /// <summary>Never shows the token.</summary>
    public override string ToString() => $"CloudContext {{ Name = {Name}, Endpoint = {Endpoint} }}";
}

/// <summary>The config file: the active context and the named ones. <c>local</c> always exists implicitly.</summary>
public sealed record DroverConfig
{
    public string? ActiveContext { get; init; }
    public IReadOnlyList<CloudContext> Contexts { get; init; } = [];
}

/// <summary>Reads and writes the config file atomically, readable only by its owner.</summary>
public sealed class ContextStore(string path)
{
    /// <summary>The built-in context: the local cloud on 127.0.0.1, started on demand.</summary>
    public const string LocalContext = "local";

    public string FilePath { get; } = path;

    public DroverConfig Load()
    {
        if (!File.Exists(FilePath))
        {
            return new DroverConfig();
        }
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(FilePath), ConfigJsonContext.Default.DroverConfig) ?? new DroverConfig();
        }
        catch (JsonException e)
        {
            throw new UsageException($"{FilePath}:{e.LineNumber + 1}: invalid config file: {e.Message}");
        }
    }

    public void Save(DroverConfig config)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        // Created 0600 from the start: the file holds API tokens.
        Drover.Core.Files.AtomicFile.WriteAllText(FilePath, JsonSerializer.Serialize(config, ConfigJsonContext.Default.DroverConfig), UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DroverConfig))]
internal sealed partial class ConfigJsonContext : JsonSerializerContext;
