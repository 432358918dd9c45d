using System.Text.Json;

namespace Drover.LocalCloud.Tests.OpenApi;

/// <summary>
/// The saved Hetzner Cloud OpenAPI spec (<c>shared/reference/hcloud-openapi.json</c>), found by walking up from the
/// test binaries: beside the checkout here and in CI (<c>&lt;repo&gt;/../shared/reference/</c>). Loaded once, read-only.
/// </summary>
public sealed class OpenApiSpec
{
    public const string RelativePath = "shared/reference/hcloud-openapi.json";

    private static Lazy<OpenApiSpec> Shared { get; } = new(() => Load(AppContext.BaseDirectory));

    private readonly JsonElement _paths;

    private OpenApiSpec(string filePath, JsonDocument document)
    {
        FilePath = filePath;
        _paths = document.RootElement.GetProperty("paths");
    }

    /// <summary>The spec, or a failure naming every directory that was searched.</summary>
    public static OpenApiSpec Instance => Shared.Value;

    public string FilePath { get; }

    /// <summary>The nearest <c>shared/reference/hcloud-openapi.json</c> at or above <paramref name="startDirectory"/>.</summary>
    public static string? Find(string startDirectory)
    {
        for (var directory = new DirectoryInfo(startDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, RelativePath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    public static OpenApiSpec Load(string startDirectory)
    {
        var path = Find(startDirectory) ?? throw new FileNotFoundException(
            $"The OpenAPI spec '{RelativePath}' was not found in '{startDirectory}' or any directory above it. "
            + "It is always present in CI, where the repository clone has 'shared/' beside it (<repo>/../shared/reference/hcloud-openapi.json); "
            + "locally, put the shared reference directory next to the checkout.");
        using var stream = File.OpenRead(path);
        return new OpenApiSpec(path, JsonDocument.Parse(stream));
    }

    /// <summary>
    /// <c>paths[path][method].responses[status].content["application/json"].schema</c>, falling back to the spec's
    /// range keys (<c>4xx</c>, <c>5xx</c>) for error statuses. <paramref name="path"/> is the spec's template without
    /// <c>/v1</c>, e.g. <c>/servers/{id}</c>.
    /// </summary>
    public JsonElement ResponseSchema(string path, string method, int status)
    {
        var response = Response(path, method, status);
        if (!response.TryGetProperty("content", out var content) || !content.TryGetProperty("application/json", out var json))
        {
            throw new KeyNotFoundException($"the spec's {status} response of {method} {path} has no application/json body");
        }
        return json.GetProperty("schema");
    }

    /// <summary>Whether the spec documents a body for this response (a 204 has none).</summary>
    public bool HasResponseBody(string path, string method, int status) => Response(path, method, status).TryGetProperty("content", out _);

    private JsonElement Response(string path, string method, int status)
    {
        if (!_paths.TryGetProperty(path, out var operations))
        {
            throw new KeyNotFoundException($"the spec has no path '{path}'");
        }
        if (!operations.TryGetProperty(method.ToLowerInvariant(), out var operation))
        {
            throw new KeyNotFoundException($"the spec has no {method} {path}");
        }
        var responses = operation.GetProperty("responses");
        var code = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var response = responses.EnumerateObject()
            .Where(r => r.Name == code || string.Equals(r.Name, $"{code[0]}xx", StringComparison.OrdinalIgnoreCase))
            .OrderBy(r => r.Name == code ? 0 : 1)
            .Select(r => r.Value)
            .FirstOrDefault();
        return response.ValueKind == JsonValueKind.Object
            ? response
            : throw new KeyNotFoundException($"the spec documents no {status} response for {method} {path} (it has {string.Join(", ", responses.EnumerateObject().Select(r => r.Name))})");
    }
}
