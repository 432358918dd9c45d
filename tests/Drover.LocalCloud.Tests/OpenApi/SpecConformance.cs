using System.Text.Json;
using Drover.LocalCloud.Tests.Support;
using Shouldly;

namespace Drover.LocalCloud.Tests.OpenApi;

/// <summary>
/// Sends requests to a local cloud and validates each raw response body against the spec's schema for that
/// operation and status, collecting every violation (with its request) for one assertion at the end.
/// </summary>
public sealed class SpecConformance(CloudHarness cloud)
{
    private readonly List<string> _violations = [];

    /// <summary>How many responses were validated.</summary>
    public int Checked { get; private set; }

    /// <summary>
    /// Sends <paramref name="method"/> <c>/v1/</c><paramref name="path"/>, expects <paramref name="expectedStatus"/> and
    /// validates the body against <paramref name="specPath"/> (the spec's template, e.g. <c>/servers/{id}</c>).
    /// Returns the body (default for a bodiless 204).
    /// </summary>
    public async Task<JsonElement> CheckAsync(HttpMethod method, string specPath, string path, string? json, int expectedStatus, CancellationToken cancellationToken)
    {
        var reply = await cloud.SendAsync(method, path, json, cancellationToken);
        reply.Status.ShouldBe(expectedStatus, $"{method} /v1/{path}: {reply.Body}");
        Checked++;
        var spec = OpenApiSpec.Instance;
        if (!spec.HasResponseBody(specPath, method.Method, reply.Status))
        {
            reply.Body.ShouldBeEmpty($"{method} /v1/{path}: the spec documents no body for {reply.Status}");
            return default;
        }
        var schema = spec.ResponseSchema(specPath, method.Method, reply.Status);
        _violations.AddRange(SchemaValidator.Validate(schema, reply.Json, reportUndeclaredProperties: true)
            .Where(v => KnownDeviations.Excuse(specPath, v) is null)
            .Select(v => $"{method} /v1/{path} -> {reply.Status}: {v}"));
        return reply.Json;
    }

    public Task<JsonElement> GetAsync(string specPath, string path, CancellationToken cancellationToken, int expectedStatus = 200)
        => CheckAsync(HttpMethod.Get, specPath, path, null, expectedStatus, cancellationToken);

    public Task<JsonElement> PostAsync(string specPath, string path, string? json, CancellationToken cancellationToken, int expectedStatus = 201)
        => CheckAsync(HttpMethod.Post, specPath, path, json, expectedStatus, cancellationToken);

    public Task<JsonElement> PutAsync(string specPath, string path, string json, CancellationToken cancellationToken, int expectedStatus = 200)
        => CheckAsync(HttpMethod.Put, specPath, path, json, expectedStatus, cancellationToken);

    public Task<JsonElement> DeleteAsync(string specPath, string path, CancellationToken cancellationToken, int expectedStatus = 204)
        => CheckAsync(HttpMethod.Delete, specPath, path, null, expectedStatus, cancellationToken);

    /// <summary>Fails with every violation found so far, one a line.</summary>
    public void ShouldConform()
    {
        Checked.ShouldBeGreaterThan(0, "no response was validated");
        _violations.ShouldBeEmpty($"{_violations.Count} violation(s) of {OpenApiSpec.Instance.FilePath}:\n{string.Join('\n', _violations)}");
    }
}
