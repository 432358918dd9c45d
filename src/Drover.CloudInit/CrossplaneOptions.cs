namespace Drover.CloudInit;

/// <summary>
/// What <see cref="CrossplaneComposition.Render"/> produces: the provider, the composite type's group and kind, and
/// the values of the example composite resource (<c>XDroverHost</c>) for the host. The provider-side values (Proxmox
/// node, template, datastores; Hetzner server type, location, image, SSH key names) are the XR's spec fields, patched
/// into the managed resources.
/// </summary>
public sealed record CrossplaneOptions
{
    public const string DefaultGroup = "platform.drover.dev";
    public const string DefaultKind = "XDroverHost";
    public const string Version = "v1alpha1";

    public CrossplaneProvider Provider { get; init; } = CrossplaneProvider.Hetzner;

    /// <summary>The XRD's API group (<c>--xrd-group</c>).</summary>
    public string Group { get; init; } = DefaultGroup;

    public string Kind { get; init; } = DefaultKind;

    /// <summary>The example XR's namespace (XRDs of apiextensions v2 are namespaced by default).</summary>
    public string Namespace { get; init; } = "default";

    /// <summary>The fleet's name, for the <c>drover/fleet</c> label and tag.</summary>
    public string? Fleet { get; init; }

    public string ProxmoxNode { get; init; } = "pve";
    public int TemplateVmId { get; init; } = 9000;

    /// <summary>Where the cloud-init drive goes (the clone's disks follow the template).</summary>
    public string Datastore { get; init; } = "local-lvm";

    /// <summary>The storage with <c>snippets</c> content that receives the user-data (<c>cicustom user=</c>).</summary>
    public string SnippetDatastore { get; init; } = "local";

    public bool FullClone { get; init; }

    public string? ServerType { get; init; }
    public string? Location { get; init; }
    public string? Image { get; init; }

    /// <summary>Names (or ids) of SSH keys already in the Hetzner project.</summary>
    public IReadOnlyList<string> HetznerSshKeys { get; init; } = [];
}
