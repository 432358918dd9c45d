using System.Text.Json;
using System.Text.Json.Serialization;
using Drover.Hcloud.Contracts;

namespace Drover.LocalCloud.State;

/// <summary>Loads and atomically saves <c>state.json</c> (write a temporary file, flush, rename over).</summary>
public sealed class StateStore(string directory)
{
    public string FilePath { get; } = Path.Combine(directory, "state.json");

    public StateDocument? Load()
    {
        if (!File.Exists(FilePath))
        {
            return null;
        }
        using var stream = File.OpenRead(FilePath);
        return JsonSerializer.Deserialize(stream, StateJsonContext.Default.StateDocument)
            ?? throw new InvalidDataException($"{FilePath}: empty state document");
    }

    public void Save(StateDocument document)
    {
        Directory.CreateDirectory(directory);
        Drover.Core.Files.AtomicFile.WriteAllBytes(FilePath, JsonSerializer.SerializeToUtf8Bytes(document, StateJsonContext.Default.StateDocument));
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StateDocument))]
[JsonSerializable(typeof(ServerResponse))]
internal sealed partial class StateJsonContext : JsonSerializerContext;
