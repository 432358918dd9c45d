namespace Drover.LocalCloud.Tests.OpenApi;

/// <summary>One place where a JSON document breaks its schema: a JSON path (<c>$.server.labels</c>) and what is wrong.</summary>
public sealed record SchemaViolation(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}
