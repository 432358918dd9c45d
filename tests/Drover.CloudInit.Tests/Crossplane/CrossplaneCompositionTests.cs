using Shouldly;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace Drover.CloudInit.Tests.Crossplane;

public sealed class CrossplaneCompositionTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("drover-crossplane-test-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<CrossplaneProvider, bool> Cases => new()
    {
        { CrossplaneProvider.ProxmoxBpg, true },
        { CrossplaneProvider.ProxmoxBpg, false },
        { CrossplaneProvider.Hetzner, true },
        { CrossplaneProvider.Hetzner, false },
    };

    private static UserDataInput Input(bool staticNetwork) => staticNetwork ? Examples.Full() : Examples.Full() with { Network = null };

    private static CrossplaneOptions Options(CrossplaneProvider provider) => new()
    {
        Provider = provider,
        Fleet = "prod",
        ServerType = "cx23",
        Location = "fsn1",
        Image = "123456",
        HetznerSshKeys = ["admin"],
    };

    private static List<YamlMappingNode> Documents(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return [.. stream.Documents.Select(d => (YamlMappingNode)d.RootNode)];
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>
    /// The CRD Crossplane makes of the XRD (its group, names, scope and schema; <c>spec.crossplane</c> is injected by
    /// Crossplane), so that the example XR is checked too.
    /// </summary>
    private static string CrdOf(YamlMappingNode xrd)
    {
        var spec = xrd.At("spec");
        var version = (YamlMappingNode)spec.At("versions", 0);
        var schema = (YamlMappingNode)version.At("schema", "openAPIV3Schema");
        ((YamlMappingNode)schema.At("properties", "spec", "properties")).Add("crossplane", new YamlMappingNode
        {
            { "type", "object" },
            { "x-kubernetes-preserve-unknown-fields", "true" },
        });
        var crd = new YamlMappingNode
        {
            { "apiVersion", "apiextensions.k8s.io/v1" },
            { "kind", "CustomResourceDefinition" },
            { "metadata", new YamlMappingNode { { "name", xrd.Text("metadata", "name") } } },
            {
                "spec", new YamlMappingNode
                {
                    { "group", spec.Text("group") },
                    { "names", spec.At("names") },
                    { "scope", spec.Text("scope") },
                    {
                        "versions", new YamlSequenceNode(new YamlMappingNode
                        {
                            { "name", version.Text("name") },
                            { "served", "true" },
                            { "storage", "true" },
                            { "schema", new YamlMappingNode { { "openAPIV3Schema", schema } } },
                        })
                    },
                }
            },
        };
        var writer = new StringWriter();
        new YamlStream(new YamlDocument(crd)).Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Every_rendered_manifest_passes_the_crds(CrossplaneProvider provider, bool staticNetwork)
    {
        // Arrange
        await CrossplaneReference.RequirePythonAsync();
        var input = Input(staticNetwork);
        var text = CrossplaneComposition.Render(input, UserDataRenderer.Render(input), Options(provider));
        var manifest = Write("manifest.yaml", text);
        var xrCrd = Write("xr-crd.yaml", CrdOf(Documents(text)[0]));

        // Act
        var (exitCode, output) = await CrossplaneReference.ValidateAsync([.. CrossplaneReference.Crds, xrCrd], [manifest]);

        // Assert: XRD, Composition, the P&T input, each base, the XR; nothing skipped for want of a CRD.
        var expected = provider == CrossplaneProvider.ProxmoxBpg ? 6 : 5;
        var lines = output.Split('\n');
        lines.ShouldNotContain(l => l.StartsWith("SKIP", StringComparison.Ordinal) || l.StartsWith("FAIL", StringComparison.Ordinal));
        lines.ShouldContain($"{expected} passed, 0 failed");
        exitCode.ShouldBe(0);
    }

    [Fact]
    public async Task The_same_runner_rejects_a_manifest_with_an_unknown_field()
    {
        // Arrange: a field the provider's EnvironmentVM does not have, in the Composition's base.
        await CrossplaneReference.RequirePythonAsync();
        var input = Input(staticNetwork: true);
        var text = CrossplaneComposition.Render(input, UserDataRenderer.Render(input), Options(CrossplaneProvider.ProxmoxBpg))
            .Replace("\n                  started: true\n", "\n                  started: true\n                  cloneFromTemplateName: debian\n", StringComparison.Ordinal);
        text.ShouldContain("cloneFromTemplateName");
        var manifest = Write("bad.yaml", text);

        // Act
        var (exitCode, output) = await CrossplaneReference.ValidateAsync(CrossplaneReference.Crds, [manifest]);

        // Assert
        exitCode.ShouldBe(1);
        output.Split('\n').ShouldContain(l => l.StartsWith("FAIL", StringComparison.Ordinal) && l.Contains("EnvironmentVM", StringComparison.Ordinal)
            && l.Contains("'cloneFromTemplateName' was unexpected", StringComparison.Ordinal));
    }

    [Fact]
    public void Proxmox_composition_uploads_the_rendered_user_data_as_a_snippet_and_clones_the_template_naming_it()
    {
        // Arrange
        var input = Input(staticNetwork: true);
        var data = UserDataRenderer.Render(input);

        // Act
        var docs = Documents(CrossplaneComposition.Render(input, data, Options(CrossplaneProvider.ProxmoxBpg)));

        // Assert
        docs.Select(d => d.Text("kind")).ShouldBe(["CompositeResourceDefinition", "Composition", "XDroverHost"]);
        var (xrd, composition, xr) = (docs[0], docs[1], docs[2]);
        xrd.Text("apiVersion").ShouldBe("apiextensions.crossplane.io/v2");
        xrd.Text("metadata", "name").ShouldBe("xdroverhosts.platform.drover.dev");
        xrd.Text("spec", "scope").ShouldBe("Namespaced");
        composition.Text("spec", "compositeTypeRef", "apiVersion").ShouldBe("platform.drover.dev/v1alpha1");
        composition.Text("metadata", "name").ShouldBe("web1-proxmox-bpg");
        composition.Text("spec", "pipeline", 1, "functionRef", "name").ShouldBe("function-auto-ready");

        var resources = composition.At("spec", "pipeline", 0, "input", "resources");
        var snippet = resources.At(0);
        snippet.Text("base", "kind").ShouldBe("EnvironmentFile");
        snippet.Text("base", "spec", "forProvider", "contentType").ShouldBe("snippets");
        snippet.Text("patches", 3, "toFieldPath").ShouldBe("spec.forProvider.sourceRaw[0].data");
        snippet.Text("patches", 3, "transforms", 0, "map", "web1").ShouldBe(data.Content);

        var vm = resources.At(1);
        vm.Text("base", "apiVersion").ShouldBe("virtualenvironmentvm.proxmoxbpg.m.crossplane.io/v1alpha1");
        vm.Items("base", "spec", "forProvider", "tags").ShouldBe(["drover", "fleet-prod"]);
        var patches = ((YamlSequenceNode)vm.At("patches")).Children;
        var userDataFile = patches.Single(p => p.Text("toFieldPath") == "spec.forProvider.initialization[0].userDataFileId");
        userDataFile.Text("combine", "string", "fmt").ShouldBe("%s:snippets/%s.yaml");
        patches.Single(p => p.Text("toFieldPath") == "spec.forProvider.initialization[0].ipConfig[0].ipv4[0].address").Text("combine", "string", "fmt").ShouldBe("%s/%v");
        patches.ShouldContain(p => p.Text("toFieldPath") == "spec.forProvider.initialization[0].dns[0].servers");

        xr.Text("spec", "crossplane", "compositionRef", "name").ShouldBe("web1-proxmox-bpg");
        xr.Text("spec", "network", "address").ShouldBe("10.0.1.10");
        xr.Text("spec", "proxmox", "templateVmId").ShouldBe("9000");
        xr.Items("spec", "sshAuthorizedKeys").ShouldBe([Examples.AdminKey, Examples.CiKey]);
    }

    [Fact]
    public void Proxmox_without_a_static_network_asks_for_dhcp()
    {
        var input = Input(staticNetwork: false);
        var vm = Documents(CrossplaneComposition.Render(input, UserDataRenderer.Render(input), Options(CrossplaneProvider.ProxmoxBpg)))[1]
            .At("spec", "pipeline", 0, "input", "resources", 1);

        vm.Text("base", "spec", "forProvider", "initialization", 0, "ipConfig", 0, "ipv4", 0, "address").ShouldBe("dhcp");
        ((YamlSequenceNode)vm.At("patches")).Children.ShouldNotContain(p => p.Text("toFieldPath").Contains("ipConfig", StringComparison.Ordinal));
    }

    [Fact]
    public void Hetzner_composition_gives_the_server_the_user_data_labels_and_keys()
    {
        // Arrange
        var input = Input(staticNetwork: false);
        var data = UserDataRenderer.Render(input);

        // Act
        var docs = Documents(CrossplaneComposition.Render(input, data, Options(CrossplaneProvider.Hetzner) with { Group = "infra.example.org" }));

        // Assert
        docs[0].Text("metadata", "name").ShouldBe("xdroverhosts.infra.example.org");
        var server = docs[1].At("spec", "pipeline", 0, "input", "resources", 0);
        server.Text("base", "apiVersion").ShouldBe("server.hetzner.m.crossplane.io/v1alpha1");
        server.Text("base", "spec", "forProvider", "labels", "drover/host").ShouldBe("web1");
        server.Text("base", "spec", "forProvider", "labels", "drover/fleet").ShouldBe("prod");
        var patches = ((YamlSequenceNode)server.At("patches")).Children;
        patches.Single(p => p.Text("toFieldPath") == "spec.forProvider.userData").Text("transforms", 0, "map", "web1").ShouldBe(data.Content);
        patches.Select(p => p.Text("toFieldPath")).ShouldContain("spec.forProvider.sshKeys");
        docs[2].Text("apiVersion").ShouldBe("infra.example.org/v1alpha1");
        docs[2].Text("spec", "hetzner", "serverType").ShouldBe("cx23");
        docs[2].Items("spec", "hetzner", "sshKeys").ShouldBe(["admin"]);
    }
}
