using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Drover.CloudInit;

/// <summary>
/// A host's user-data as Crossplane manifests for a real provider, one YAML stream of three documents:
/// <list type="number">
/// <item>an XRD (<c>apiextensions.crossplane.io/v2</c>, namespaced) for <c>XDroverHost</c>, whose spec carries the
/// seed's placeholder set (hostname, SSH authorized keys, flake reference, static network) and the provider's fields;</item>
/// <item>a Composition (<c>mode: Pipeline</c>) whose function-patch-and-transform step composes the provider's managed
/// resources (<see cref="CrossplaneProvider"/>) and patches them from the XR, then function-auto-ready;</item>
/// <item>an XR for the host that selects that Composition, filled from the fleet file.</item>
/// </list>
/// The user-data is the one Drover rendered for the host (concrete, not re-templated): a <c>map</c> transform from the
/// XR's hostname gives it, so an XR naming another host gets none and the patch fails instead of booting the wrong
/// configuration.
/// </summary>
public static class CrossplaneComposition
{
    public const string PatchAndTransform = "function-patch-and-transform";
    public const string AutoReady = "function-auto-ready";
    public const string CreatedBy = "drover-crossplane";

    public static string Render(UserDataInput input, RenderedUserData data, CrossplaneOptions options)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(input.Hostname);
        return string.Join("---\n", YamlText.Save(Xrd(options)), YamlText.Save(Composition(input, data, options)), YamlText.Save(Xr(input, options)));
    }

    /// <summary>The Composition's name: <c>HOST-proxmox-bpg</c> or <c>HOST-hetzner</c>.</summary>
    public static string CompositionName(string hostname, CrossplaneProvider provider) =>
        $"{hostname.ToLowerInvariant()}-{ProviderName(provider)}";

    public static string ProviderName(CrossplaneProvider provider) => provider == CrossplaneProvider.ProxmoxBpg ? "proxmox-bpg" : "hetzner";

    private static string Plural(CrossplaneOptions options) => options.Kind.ToLowerInvariant() + "s";

    private static YamlMappingNode Xrd(CrossplaneOptions options)
    {
        var spec = Object(
            ("hostname", Field("string", "The host name (VM or server name; it selects the user-data rendered for it)")),
            ("sshAuthorizedKeys", Array("string", "Root's / the admin user's SSH public keys (in the rendered user-data)")),
            ("flakeRef", Field("string", "The flake the host converges to (in the rendered user-data)")),
            ("network", Object(
                ("interface", Field("string", "Interface name in the guest")),
                ("address", Field("string", "Static IPv4 or IPv6 address, without prefix")),
                ("prefixLength", Field("integer", "Prefix length")),
                ("gateway", Field("string", "Default gateway")),
                ("nameservers", Array("string", "DNS servers")))),
            ("proxmox", Object(
                ("node", Field("string", "Proxmox VE node that runs the VM")),
                ("templateVmId", Field("integer", "VMID of the template to clone (drover proxmox template)")),
                ("fullClone", Field("boolean", "Full clone instead of a linked clone")),
                ("datastore", Field("string", "Storage of the cloud-init drive")),
                ("snippetDatastore", Field("string", "Storage with snippets content that receives the user-data")))),
            ("hetzner", Object(
                ("serverType", Field("string", "Server type, e.g. cx23")),
                ("location", Field("string", "Location, e.g. fsn1")),
                ("image", Field("string", "Image name or id (a Drover snapshot's id)")),
                ("sshKeys", Array("string", "Names or ids of SSH keys in the project")))));
        spec.Add("required", new YamlSequenceNode(YamlText.Str("hostname")));

        return new YamlMappingNode
        {
            { "apiVersion", "apiextensions.crossplane.io/v2" },
            { "kind", "CompositeResourceDefinition" },
            { "metadata", new YamlMappingNode { { "name", YamlText.Str($"{Plural(options)}.{options.Group}") } } },
            {
                "spec", new YamlMappingNode
                {
                    { "group", YamlText.Str(options.Group) },
                    { "names", new YamlMappingNode { { "kind", YamlText.Str(options.Kind) }, { "plural", YamlText.Str(Plural(options)) } } },
                    { "scope", "Namespaced" },
                    {
                        "versions", new YamlSequenceNode(new YamlMappingNode
                        {
                            { "name", CrossplaneOptions.Version },
                            { "served", YamlText.Bool(true) },
                            { "referenceable", YamlText.Bool(true) },
                            {
                                "schema", new YamlMappingNode
                                {
                                    { "openAPIV3Schema", Object(("spec", spec)) },
                                }
                            },
                        })
                    },
                }
            },
        };
    }

    private static YamlMappingNode Composition(UserDataInput input, RenderedUserData data, CrossplaneOptions options)
    {
        var resources = options.Provider == CrossplaneProvider.ProxmoxBpg
            ? new YamlSequenceNode(ProxmoxSnippet(input, data), ProxmoxVm(input, options))
            : new YamlSequenceNode(HetznerServer(input, data, options));
        var pipeline = new YamlSequenceNode(
            new YamlMappingNode
            {
                { "step", "patch-and-transform" },
                { "functionRef", new YamlMappingNode { { "name", PatchAndTransform } } },
                {
                    "input", new YamlMappingNode
                    {
                        { "apiVersion", "pt.fn.crossplane.io/v1beta1" },
                        { "kind", "Resources" },
                        { "resources", resources },
                    }
                },
            },
            new YamlMappingNode
            {
                { "step", "automatically-detect-ready-composed-resources" },
                { "functionRef", new YamlMappingNode { { "name", AutoReady } } },
            });
        return new YamlMappingNode
        {
            { "apiVersion", "apiextensions.crossplane.io/v1" },
            { "kind", "Composition" },
            {
                "metadata", new YamlMappingNode
                {
                    { "name", YamlText.Str(CompositionName(input.Hostname, options.Provider)) },
                    { "labels", Labels(input, options) },
                }
            },
            {
                "spec", new YamlMappingNode
                {
                    {
                        "compositeTypeRef", new YamlMappingNode
                        {
                            { "apiVersion", YamlText.Str($"{options.Group}/{CrossplaneOptions.Version}") },
                            { "kind", YamlText.Str(options.Kind) },
                        }
                    },
                    { "mode", "Pipeline" },
                    { "pipeline", pipeline },
                }
            },
        };
    }

    /// <summary>The snippet: the user-data as <c>SNIPPETS:snippets/HOST.yaml</c> on the node (uploaded by bpg over SSH).</summary>
    private static YamlMappingNode ProxmoxSnippet(UserDataInput input, RenderedUserData data) => Resource(
        "userdata-snippet",
        "virtualenvironmentfile.proxmoxbpg.m.crossplane.io/v1alpha1", "EnvironmentFile",
        new YamlMappingNode
        {
            { "contentType", "snippets" },
            { "overwrite", YamlText.Bool(true) },
            { "sourceRaw", new YamlSequenceNode(new YamlMappingNode { { "fileName", YamlText.Str(SnippetFile(input.Hostname)) } }) },
        },
        new YamlSequenceNode(
            From("spec.proxmox.node", "spec.forProvider.nodeName"),
            From("spec.proxmox.snippetDatastore", "spec.forProvider.datastoreId"),
            Format("%s.yaml", "spec.forProvider.sourceRaw[0].fileName", "spec.hostname"),
            UserDataPatch(input.Hostname, data, "spec.forProvider.sourceRaw[0].data")));

    /// <summary>The VM: a clone of the template with the guest agent, whose cloud-init drive takes the snippet as user-data.</summary>
    private static YamlMappingNode ProxmoxVm(UserDataInput input, CrossplaneOptions options)
    {
        var initialization = new YamlMappingNode { { "type", "nocloud" } };
        var patches = new YamlSequenceNode(
            From("spec.proxmox.node", "spec.forProvider.nodeName"),
            From("spec.hostname", "spec.forProvider.name"),
            From("spec.proxmox.templateVmId", "spec.forProvider.clone[0].vmId"),
            From("spec.proxmox.fullClone", "spec.forProvider.clone[0].full"),
            From("spec.proxmox.datastore", "spec.forProvider.initialization[0].datastoreId"),
            Format("%s:snippets/%s.yaml", "spec.forProvider.initialization[0].userDataFileId", "spec.proxmox.snippetDatastore", "spec.hostname"));
        if (input.Network is { } network)
        {
            var family = network.Address.Contains(':', StringComparison.Ordinal) ? "ipv6" : "ipv4";
            patches.Add(Format("%s/%v", $"spec.forProvider.initialization[0].ipConfig[0].{family}[0].address", "spec.network.address", "spec.network.prefixLength"));
            if (!string.IsNullOrEmpty(network.Gateway))
            {
                patches.Add(From("spec.network.gateway", $"spec.forProvider.initialization[0].ipConfig[0].{family}[0].gateway"));
            }

            if (network.DnsServers.Count > 0)
            {
                patches.Add(From("spec.network.nameservers", "spec.forProvider.initialization[0].dns[0].servers"));
            }
        }
        else
        {
            initialization.Add("ipConfig", new YamlSequenceNode(new YamlMappingNode
            {
                { "ipv4", new YamlSequenceNode(new YamlMappingNode { { "address", "dhcp" } }) },
            }));
        }

        var tags = new YamlSequenceNode(YamlText.Str("drover"));
        if (ProxmoxTag(options.Fleet) is { } fleetTag)
        {
            tags.Add(YamlText.Str(fleetTag));
        }

        return Resource(
            "vm",
            "virtualenvironmentvm.proxmoxbpg.m.crossplane.io/v1alpha1", "EnvironmentVM",
            new YamlMappingNode
            {
                { "clone", new YamlSequenceNode(new YamlMappingNode { { "retries", new YamlScalarNode("3") } }) },
                { "agent", new YamlSequenceNode(new YamlMappingNode { { "enabled", YamlText.Bool(true) } }) },
                { "started", YamlText.Bool(true) },
                { "tags", tags },
                { "initialization", new YamlSequenceNode(initialization) },
            },
            patches);
    }

    private static YamlMappingNode HetznerServer(UserDataInput input, RenderedUserData data, CrossplaneOptions options) => Resource(
        "server",
        "server.hetzner.m.crossplane.io/v1alpha1", "Server",
        new YamlMappingNode { { "labels", Labels(input, options) } },
        new YamlSequenceNode(
            From("spec.hostname", "spec.forProvider.name"),
            From("spec.hetzner.serverType", "spec.forProvider.serverType"),
            From("spec.hetzner.location", "spec.forProvider.location"),
            From("spec.hetzner.image", "spec.forProvider.image"),
            From("spec.hetzner.sshKeys", "spec.forProvider.sshKeys"),
            UserDataPatch(input.Hostname, data, "spec.forProvider.userData")));

    private static YamlMappingNode Xr(UserDataInput input, CrossplaneOptions options)
    {
        var spec = new YamlMappingNode
        {
            { "crossplane", new YamlMappingNode { { "compositionRef", new YamlMappingNode { { "name", YamlText.Str(CompositionName(input.Hostname, options.Provider)) } } } } },
            { "hostname", YamlText.Str(input.Hostname) },
        };
        if (input.SshAuthorizedKeys.Count > 0)
        {
            spec.Add("sshAuthorizedKeys", YamlText.StrList(input.SshAuthorizedKeys));
        }

        if (!string.IsNullOrEmpty(input.FlakeRef))
        {
            spec.Add("flakeRef", YamlText.Str(input.FlakeRef));
        }

        if (input.Network is { } network)
        {
            var net = new YamlMappingNode
            {
                { "interface", YamlText.Str(network.Interface) },
                { "address", YamlText.Str(network.Address) },
                { "prefixLength", new YamlScalarNode(network.PrefixLength.ToString(CultureInfo.InvariantCulture)) },
            };
            if (!string.IsNullOrEmpty(network.Gateway))
            {
                net.Add("gateway", YamlText.Str(network.Gateway));
            }

            if (network.DnsServers.Count > 0)
            {
                net.Add("nameservers", YamlText.StrList(network.DnsServers));
            }

            spec.Add("network", net);
        }

        if (options.Provider == CrossplaneProvider.ProxmoxBpg)
        {
            spec.Add("proxmox", new YamlMappingNode
            {
                { "node", YamlText.Str(options.ProxmoxNode) },
                { "templateVmId", new YamlScalarNode(options.TemplateVmId.ToString(CultureInfo.InvariantCulture)) },
                { "fullClone", YamlText.Bool(options.FullClone) },
                { "datastore", YamlText.Str(options.Datastore) },
                { "snippetDatastore", YamlText.Str(options.SnippetDatastore) },
            });
        }
        else
        {
            var hetzner = new YamlMappingNode();
            AddIf(hetzner, "serverType", options.ServerType);
            AddIf(hetzner, "location", options.Location);
            AddIf(hetzner, "image", options.Image);
            if (options.HetznerSshKeys.Count > 0)
            {
                hetzner.Add("sshKeys", YamlText.StrList(options.HetznerSshKeys));
            }

            spec.Add("hetzner", hetzner);
        }

        return new YamlMappingNode
        {
            { "apiVersion", YamlText.Str($"{options.Group}/{CrossplaneOptions.Version}") },
            { "kind", YamlText.Str(options.Kind) },
            {
                "metadata", new YamlMappingNode
                {
                    { "name", YamlText.Str(input.Hostname.ToLowerInvariant()) },
                    { "namespace", YamlText.Str(options.Namespace) },
                    { "labels", Labels(input, options) },
                }
            },
            { "spec", spec },
        };
    }

    private static void AddIf(YamlMappingNode map, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            map.Add(key, YamlText.Str(value));
        }
    }

    public static string SnippetFile(string hostname) => hostname.ToLowerInvariant() + ".yaml";

    /// <summary>A Proxmox tag for the fleet (<c>[a-z0-9_][a-z0-9_\-+.]*</c>), or null when the name has no such form.</summary>
    private static string? ProxmoxTag(string? fleet)
    {
        if (string.IsNullOrEmpty(fleet))
        {
            return null;
        }

        var tag = "fleet-" + new string([.. fleet.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '+' or '.' ? c : '-')]);
        return tag;
    }

    private static YamlMappingNode Labels(UserDataInput input, CrossplaneOptions options)
    {
        var labels = new YamlMappingNode
        {
            { "drover/created-by", CreatedBy },
            { "drover/host", YamlText.Str(input.Hostname) },
        };
        if (!string.IsNullOrEmpty(options.Fleet))
        {
            labels.Add("drover/fleet", YamlText.Str(options.Fleet));
        }

        return labels;
    }

    private static YamlMappingNode Resource(string name, string apiVersion, string kind, YamlMappingNode forProvider, YamlSequenceNode patches) => new()
    {
        { "name", name },
        {
            "base", new YamlMappingNode
            {
                { "apiVersion", YamlText.Str(apiVersion) },
                { "kind", YamlText.Str(kind) },
                { "spec", new YamlMappingNode { { "forProvider", forProvider } } },
            }
        },
        { "patches", patches },
    };

    private static YamlMappingNode From(string from, string to) => new()
    {
        { "type", "FromCompositeFieldPath" },
        { "fromFieldPath", YamlText.Str(from) },
        { "toFieldPath", YamlText.Str(to) },
    };

    /// <summary>A <c>CombineFromComposite</c> patch: the variables' values through a Go format string.</summary>
    private static YamlMappingNode Format(string format, string to, params string[] from) => new()
    {
        { "type", "CombineFromComposite" },
        {
            "combine", new YamlMappingNode
            {
                { "variables", new YamlSequenceNode(from.Select(f => new YamlMappingNode { { "fromFieldPath", YamlText.Str(f) } })) },
                { "strategy", "string" },
                { "string", new YamlMappingNode { { "fmt", YamlText.Str(format) } } },
            }
        },
        { "toFieldPath", YamlText.Str(to) },
    };

    /// <summary>The rendered user-data, given by a map from the XR's hostname (only this host's maps).</summary>
    private static YamlMappingNode UserDataPatch(string hostname, RenderedUserData data, string to)
    {
        var patch = From("spec.hostname", to);
        patch.Add("transforms", new YamlSequenceNode(new YamlMappingNode
        {
            { "type", "map" },
            { "map", new YamlMappingNode { { YamlText.Str(hostname), YamlText.Block(data.Content) } } },
        }));
        return patch;
    }

    private static YamlMappingNode Field(string type, string description) => new()
    {
        { "type", type },
        { "description", YamlText.Str(description) },
    };

    private static YamlMappingNode Array(string itemType, string description) => new()
    {
        { "type", "array" },
        { "description", YamlText.Str(description) },
        { "items", new YamlMappingNode { { "type", itemType } } },
    };

    private static YamlMappingNode Object(params (string Name, YamlMappingNode Schema)[] properties)
    {
        var props = new YamlMappingNode();
        foreach (var (name, schema) in properties)
        {
            props.Add(name, schema);
        }

        return new YamlMappingNode { { "type", "object" }, { "properties", props } };
    }
}
