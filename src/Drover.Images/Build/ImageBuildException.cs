namespace Drover.Images.Build;

/// <summary>A build failed at a named step (a tool failed, or an input is missing); what it created has been removed.</summary>
public class ImageBuildException(string step, string message, Exception? inner = null) : Drover.Core.DroverException($"{step}: {message}", inner)
{
    public string Step { get; } = step;
}

/// <summary>The secret scanner found secrets in the image; nothing was written. <see cref="Findings"/> names each file.</summary>
public sealed class SecretsFoundException(IReadOnlyList<ScanFinding> findings)
    : ImageBuildException("scan", $"the image contains secrets: {string.Join("; ", findings.Select(f => $"{f.Path}: {f.Kind}: {f.Detail}"))}")
{
    public IReadOnlyList<ScanFinding> Findings { get; } = findings;

    /// <summary>A header, then one line per finding.</summary>
    public override IReadOnlyList<string> Lines =>
        [$"the image contains secrets ({Findings.Count}); nothing was written:", .. Findings.Select(f => $"  {f.Path}: {f.Kind}: {f.Detail}")];
}
