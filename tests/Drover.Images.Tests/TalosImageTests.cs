using Drover.Hcloud.Labels;
using Drover.Images.Build;
using Drover.Images.Talos;
using Shouldly;
using Xunit;

namespace Drover.Images.Tests;

public sealed class TalosImageTests(ITestOutputHelper output)
{
    private const string Stock = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba";

    /// <summary>The hcloud-talos base (iscsi-tools, util-linux-tools); control planes add tailscale.</summary>
    private const string BaseSchematic = """
        customization:
          systemExtensions:
            officialExtensions:
              - siderolabs/iscsi-tools
              - siderolabs/util-linux-tools
        """;

    [Theory]
    [InlineData("x86", "hcloud-amd64.raw.xz")]
    [InlineData("amd64", "hcloud-amd64.raw.xz")]
    [InlineData("arm", "hcloud-arm64.raw.xz")]
    [InlineData("arm64", "hcloud-arm64.raw.xz")]
    public void Url_is_the_factory_image_for_version_and_architecture(string arch, string file)
    {
        var image = TalosImage.For(TalosSchematic.Empty, "v1.12.2", arch);

        image.Url.ShouldBe($"https://factory.talos.dev/image/{Stock}/v1.12.2/{file}");
    }

    [Theory]
    [InlineData("https://factory.example.org", "https://factory.example.org/image/")]
    [InlineData("http://198.19.255.254:8080/files/abc/", "http://198.19.255.254:8080/files/abc/image/")]
    public void Another_factory_serves_the_same_path(string factory, string prefix)
    {
        var image = TalosImage.For(TalosSchematic.Empty, "v1.12.2", "arm", factory: new Uri(factory));

        image.Url.ShouldBe($"{prefix}{Stock}/v1.12.2/hcloud-arm64.raw.xz");
        image.SchematicId.ShouldBe(Stock);
    }

    [Theory]
    [InlineData("ftp://factory.example.org")]
    [InlineData("https://factory.example.org/?x=1")]
    public void A_factory_that_is_not_a_plain_http_url_is_refused(string factory)
    {
        Should.Throw<ArgumentException>(() => TalosImage.For(TalosSchematic.Empty, "v1.12.2", "x86", factory: new Uri(factory))).Message.ShouldContain(factory);
    }

    [Fact]
    public void Labels_follow_the_hcloud_talos_conventions_and_are_valid()
    {
        // Act
        var image = TalosImage.For(TalosSchematic.Empty, "v1.12.2", "arm", "worker");

        // Assert
        image.Labels.ShouldBe(new Dictionary<string, string>
        {
            ["os"] = "talos",
            ["arch"] = "arm",
            ["version"] = "v1.12.2",
            ["role"] = "worker",
            ["creator"] = "drover",
            ["type"] = "infra",
            ["talos/schematic"] = Stock[..63],
        }, ignoreOrder: true);
        LabelValidation.Problems(image.Labels).ShouldBeEmpty();
        image.Description.ShouldContain(Stock);
        image.Description.ShouldBe($"Talos Linux v1.12.2 ARM (worker), schematic {Stock}");
    }

    [Fact]
    public void Without_a_role_there_is_no_role_label()
    {
        TalosImage.For(TalosSchematic.Empty, "v1.12.2", "x86").Labels.ContainsKey("role").ShouldBeFalse();
    }

    [Theory]
    [InlineData("1.12.2")]
    [InlineData("v1.12")]
    [InlineData("latest")]
    [InlineData("v1.12.2/../../x")]
    public void Bad_versions_are_refused(string version)
    {
        Should.Throw<ArgumentException>(() => TalosImage.For(TalosSchematic.Empty, version, "x86")).Message.ShouldContain("v1.12.2");
    }

    [Fact]
    public void Prerelease_versions_are_accepted()
    {
        TalosImage.For(TalosSchematic.Empty, "v1.13.0-alpha.1", "x86").Labels["version"].ShouldBe("v1.13.0-alpha.1");
    }

    [Theory]
    [InlineData("riscv")]
    [InlineData("")]
    public void Bad_architectures_are_refused(string arch)
    {
        Should.Throw<ArgumentException>(() => TalosImage.For(TalosSchematic.Empty, "v1.12.2", arch));
    }

    [Theory]
    [InlineData("")]
    [InlineData("control plane")]
    [InlineData("a.b")]
    public void Bad_roles_are_refused(string role)
    {
        Should.Throw<ArgumentException>(() => TalosImage.For(TalosSchematic.Empty, "v1.12.2", "x86", role));
    }

    [Fact]
    public void Role_specific_schematics_get_their_own_ids()
    {
        // Arrange
        var base_ = TalosSchematic.Parse(BaseSchematic, "schematic.yaml");

        // Act
        var controlPlane = base_.With(["siderolabs/tailscale"]);
        var worker = base_.With();

        // Assert
        worker.Id.ShouldBe("613e1592b2da41ae5e265e8789429f22e121aab91cb4deb6bc3c0b6262961245");
        controlPlane.Id.ShouldNotBe(worker.Id);
        controlPlane.Canonical().ShouldBe("""
            customization:
                systemExtensions:
                    officialExtensions:
                        - siderolabs/iscsi-tools
                        - siderolabs/util-linux-tools
                        - siderolabs/tailscale

            """);
        var cpImage = TalosImage.For(controlPlane, "v1.12.2", "x86", "control-plane");
        var workerImage = TalosImage.For(worker, "v1.12.2", "x86", "worker");
        cpImage.Labels["talos/schematic"].ShouldNotBe(workerImage.Labels["talos/schematic"]);
        output.WriteLine($"control-plane schematic:\n{controlPlane.Canonical()}id {controlPlane.Id}\nurl {cpImage.Url}");
        output.WriteLine($"worker schematic:\n{worker.Canonical()}id {worker.Id}\nurl {workerImage.Url}");
    }

    [Fact]
    public void Build_writes_a_manifest_without_the_image()
    {
        // Arrange
        var dir = Directory.CreateTempSubdirectory("drover-talos-");
        try
        {
            var image = TalosImage.For(TalosSchematic.Empty, "v1.12.2", "x86", "worker");

            // Act
            var path = TalosBuild.Write(image, Path.Combine(dir.FullName, "out"));

            // Assert
            Path.GetFileName(path).ShouldBe("talos-worker-x86-v1.12.2.manifest.json");
            var manifest = ImageManifest.Read(path);
            manifest.Builder.ShouldBe("talos");
            manifest.Architecture.ShouldBe("x86");
            manifest.Url.ShouldBe(image.Url);
            manifest.Schematic.ShouldBe(Stock);
            manifest.Sha256.ShouldBeNull();
            manifest.Path.ShouldBeNull();
            manifest.Labels.ShouldBe(image.Labels, ignoreOrder: true);
            manifest.Description.ShouldBe(image.Description);
            manifest.Scan.ShouldBe(manifest.Scan with { Scanned = false, Reason = "downloaded by the rescue system" });
            manifest.Scan.Findings.ShouldBeEmpty();
            var json = File.ReadAllText(path);
            json.ShouldContain("\"sha256\": null");
            json.ShouldContain("\"scanned\": false");
            json.ShouldContain("\"builder\": \"talos\"");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Manifest_round_trips_with_findings()
    {
        var dir = Directory.CreateTempSubdirectory("drover-manifest-");
        try
        {
            var manifest = new ImageManifest
            {
                Builder = "debian",
                Architecture = "arm",
                Path = "/tmp/x.raw",
                Sha256 = new string('a', 64),
                Size = 1234,
                Labels = new Dictionary<string, string> { ["os"] = "debian" },
                Description = "d",
                Created = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
                Scan = new ImageScan(true, [new ScanFinding("/root/.ssh/id_ed25519", "private-key", "OpenSSH private key")]),
            };
            var path = Path.Combine(dir.FullName, "m.json");

            manifest.Write(path);
            var back = ImageManifest.Read(path);

            back.Size.ShouldBe(1234);
            back.Created.ShouldBe(manifest.Created);
            back.Scan.Findings.ShouldHaveSingleItem().Kind.ShouldBe("private-key");
            File.ReadAllText(path).ShouldContain("\"created\": \"2026-01-02T03:04:05+00:00\"");
            Should.Throw<InvalidDataException>(() => ImageManifest.Read(Path.Combine(dir.FullName, "missing.json") is var p && File.Exists(p) ? p : WriteBad(p)))
                .Message.ShouldContain("missing.json");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string WriteBad(string path)
    {
        File.WriteAllText(path, "{\"builder\": 3}");
        return path;
    }
}
