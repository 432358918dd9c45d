namespace Drover.Fleet.Config;

/// <summary>
/// Changes to one host of a fleet file, for <see cref="FleetEditor.SetHost"/>. Null properties are left alone.
/// </summary>
public sealed record HostChanges
{
    /// <summary>Pins the host to this image ID (<c>image: ID</c>), removing <c>image_selector</c> and <c>architecture</c>.</summary>
    public long? ImageId { get; init; }

    /// <summary>Sets <c>image_selector</c>, removing <c>image</c>.</summary>
    public string? ImageSelector { get; init; }

    /// <summary>Sets <c>architecture</c> (only valid with <c>image_selector</c>).</summary>
    public string? Architecture { get; init; }

    public string? ServerType { get; init; }

    public string? Location { get; init; }

    public string? Role { get; init; }

    /// <summary>Labels to set (a value) or remove (null) in the host's own <c>labels</c>.</summary>
    public IReadOnlyDictionary<string, string?> Labels { get; init; } = new Dictionary<string, string?>();
}
