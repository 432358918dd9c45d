namespace Drover.CloudInit;

/// <summary>
/// What the Crossplane Composition from <see cref="UserDataFormats.ToCrossplanePatch"/> composes: the composite
/// type it serves, the managed resource it creates and the field paths it patches.
/// </summary>
public sealed record CrossplanePatchOptions
{
    public string CompositeApiVersion { get; init; } = "infra.drover.example/v1alpha1";

    public string CompositeKind { get; init; } = "XServer";

    public string ResourceApiVersion { get; init; } = "hcloud.crossplane.io/v1alpha1";

    public string ResourceKind { get; init; } = "Server";

    /// <summary>Where the composite carries the host name (the patches' source).</summary>
    public string HostnameFieldPath { get; init; } = "spec.hostname";

    /// <summary>Where the managed resource takes its name.</summary>
    public string NameFieldPath { get; init; } = "spec.forProvider.name";

    /// <summary>Where the managed resource takes its user-data.</summary>
    public string UserDataFieldPath { get; init; } = "spec.forProvider.userData";
}
