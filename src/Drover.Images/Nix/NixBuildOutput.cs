using System.Text.Json;
using Drover.Images.Build;

namespace Drover.Images.Nix;

/// <summary>Reads <c>nix build --json</c>'s answer (<c>[{"drvPath": ..., "outputs": {"out": PATH}}]</c>).</summary>
internal static class NixBuildOutput
{
    /// <summary>The output paths it names.</summary>
    public static IReadOnlyList<string> Paths(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var paths = new List<string>();
            foreach (var result in doc.RootElement.EnumerateArray())
            {
                if (result.TryGetProperty("outputs", out var outputs))
                {
                    paths.AddRange(outputs.EnumerateObject().Select(o => o.Value.GetString()).OfType<string>());
                }
            }
            return paths.Count > 0 ? paths : throw new ImageBuildException("nix build", "nix build --json named no output paths");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new ImageBuildException("nix build", $"could not read nix build --json output: {e.Message}", e);
        }
    }
}
