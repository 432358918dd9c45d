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
        var temp = FilePath + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, document, StateJsonContext.Default.StateDocument);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, FilePath, overwrite: true);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StateDocument))]
[JsonSerializable(typeof(ServerResponse))]
internal sealed partial class StateJsonContext : JsonSerializerContext;
