namespace Drover.Fleet.Config;

/// <summary>A host's user-data: templates (rendered with placeholders) and extra variables.</summary>
public sealed record UserDataSpec
{
    /// <summary>Template files relative to the fleet file; each becomes one part (several parts: MIME multipart).</summary>
    public IReadOnlyList<string> Templates { get; init; } = [];

    /// <summary>Extra placeholder values (<c>${NAME}</c>) beyond the built-in ones.</summary>
    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>();
}
