using System.Text.Json;
using Drover.Images.Build;
using Shouldly;
using Xunit;

namespace Drover.Cli.Tests;

/// <summary><c>drover talos</c>: offline, no cloud needed.</summary>
public sealed class TalosCliTests : IDisposable
{
    private const string QemuGuestAgent = "ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515";
    private readonly CliRunner _cli = new();

    private string Write(string name, string text)
    {
        var path = Path.Combine(_cli.Home, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string QemuSchematic() => Write("schematic.yaml", "customization:\n  systemExtensions:\n    officialExtensions:\n      - siderolabs/qemu-guest-agent\n");

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Schematic_prints_the_factory_id()
    {
        var result = await _cli.RunAsync("talos", "schematic", QemuSchematic());

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldBe(QemuGuestAgent + "\n");
    }

    [Fact]
    public async Task Schematic_json_has_the_id_and_the_canonical_yaml()
    {
        var result = await _cli.RunAsync("talos", "schematic", Write("empty.json", "{}"), "-o", "json");

        result.ExitCode.ShouldBe(0, result.ToString());
        using var doc = JsonDocument.Parse(result.Stdout);
        doc.RootElement.GetProperty("id").GetString().ShouldBe("376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba");
        doc.RootElement.GetProperty("canonical").GetString().ShouldBe("customization: {}\n");
    }

    [Fact]
    public async Task Bad_schematic_fails_with_file_line_and_column()
    {
        var path = Write("bad.yaml", "customization:\n  systemExtension:\n    officialExtensions: [siderolabs/iscsi-tools]\n");

        var result = await _cli.RunAsync("talos", "schematic", path);

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldContain($"{path}:2:3: unknown field 'systemExtension' in customization");
        result.Stdout.ShouldBeEmpty();
    }

    [Fact]
    public async Task Missing_schematic_file_fails()
    {
        var result = await _cli.RunAsync("talos", "schematic", Path.Combine(_cli.Home, "nope.yaml"));

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldContain("nope.yaml");
    }

    [Fact]
    public async Task Image_prints_url_labels_and_description()
    {
        var result = await _cli.RunAsync("talos", "image", "--schematic", QemuSchematic(), "--version", "v1.12.2", "--arch", "arm", "--role", "worker", "-o", "json");

        result.ExitCode.ShouldBe(0, result.ToString());
        using var doc = JsonDocument.Parse(result.Stdout);
        var root = doc.RootElement;
        root.GetProperty("url").GetString().ShouldBe($"https://factory.talos.dev/image/{QemuGuestAgent}/v1.12.2/hcloud-arm64.raw.xz");
        root.GetProperty("labels").GetProperty("os").GetString().ShouldBe("talos");
        root.GetProperty("labels").GetProperty("arch").GetString().ShouldBe("arm");
        root.GetProperty("labels").GetProperty("role").GetString().ShouldBe("worker");
        root.GetProperty("labels").GetProperty("talos/schematic").GetString().ShouldBe(QemuGuestAgent[..63]);
        root.GetProperty("description").GetString()!.ShouldContain(QemuGuestAgent);
    }

    [Fact]
    public async Task Role_extensions_change_the_schematic()
    {
        var schematic = QemuSchematic();

        var plain = await _cli.RunAsync("talos", "image", "--schematic", schematic, "--version", "v1.12.2", "--arch", "x86", "--role", "worker");
        var cp = await _cli.RunAsync("talos", "image", "--schematic", schematic, "--version", "v1.12.2", "--arch", "x86", "--role", "control-plane", "--extension", "siderolabs/tailscale");

        plain.ExitCode.ShouldBe(0, plain.ToString());
        cp.ExitCode.ShouldBe(0, cp.ToString());
        plain.Stdout.ShouldContain($"schematic    {QemuGuestAgent}");
        cp.Stdout.ShouldNotContain(QemuGuestAgent);
        cp.Stdout.ShouldContain("role=control-plane");
    }

    [Theory]
    [InlineData("--version", "1.12.2", "--arch", "x86")]
    [InlineData("--version", "v1.12.2", "--arch", "riscv")]
    public async Task Bad_version_or_arch_is_a_usage_error(string o1, string v1, string o2, string v2)
    {
        var result = await _cli.RunAsync("talos", "image", "--schematic", QemuSchematic(), o1, v1, o2, v2);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldStartWith("error:");
    }

    [Fact]
    public async Task Missing_required_option_is_a_usage_error()
    {
        var result = await _cli.RunAsync("talos", "build", "--schematic", QemuSchematic(), "--arch", "x86", "--output-dir", _cli.Home);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldContain("--version");
    }

    [Fact]
    public async Task Build_writes_the_manifest()
    {
        var outDir = Path.Combine(_cli.Home, "out");

        var result = await _cli.RunAsync("talos", "build", "--schematic", QemuSchematic(), "--version", "v1.12.2", "--arch", "x86", "--role", "control-plane", "--output-dir", outDir);

        result.ExitCode.ShouldBe(0, result.ToString());
        var path = Path.Combine(outDir, "talos-control-plane-x86-v1.12.2.manifest.json");
        result.Stdout.Trim().ShouldBe(path);
        var manifest = ImageManifest.Read(path);
        manifest.Builder.ShouldBe("talos");
        manifest.Architecture.ShouldBe("x86");
        manifest.Schematic.ShouldBe(QemuGuestAgent);
        manifest.Url.ShouldBe($"https://factory.talos.dev/image/{QemuGuestAgent}/v1.12.2/hcloud-amd64.raw.xz");
        manifest.Sha256.ShouldBeNull();
        manifest.Labels["role"].ShouldBe("control-plane");
        manifest.Scan.Scanned.ShouldBeFalse();
        manifest.Scan.Reason.ShouldBe("downloaded by the rescue system");
    }

    [Fact]
    public async Task Build_with_a_bad_schematic_writes_nothing()
    {
        var outDir = Path.Combine(_cli.Home, "out");

        var result = await _cli.RunAsync("talos", "build", "--schematic", Write("bad.yaml", "overlay: [x]\n"), "--version", "v1.12.2", "--output-dir", outDir);

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldContain("bad.yaml:1:10: overlay: expected a mapping");
        Directory.Exists(outDir).ShouldBeFalse();
    }

    [Fact]
    public async Task Build_writes_a_manifest_for_each_architecture_by_default()
    {
        // Arrange
        var outDir = Path.Combine(_cli.Home, "out");

        // Act
        var result = await _cli.RunAsync("talos", "build", "--schematic", QemuSchematic(), "--version", "v1.12.2", "--output-dir", outDir);

        // Assert
        result.ExitCode.ShouldBe(0, result.ToString());
        var x86 = Path.Combine(outDir, "talos-x86-v1.12.2.manifest.json");
        var arm = Path.Combine(outDir, "talos-arm-v1.12.2.manifest.json");
        result.Stdout.ShouldBe($"{x86}\n{arm}\n");
        Directory.GetFiles(outDir).Order().ShouldBe([arm, x86]);
        foreach (var (path, arch, file) in new[] { (x86, "x86", "hcloud-amd64.raw.xz"), (arm, "arm", "hcloud-arm64.raw.xz") })
        {
            var manifest = ImageManifest.Read(path);
            manifest.Architecture.ShouldBe(arch);
            manifest.Url.ShouldBe($"https://factory.talos.dev/image/{QemuGuestAgent}/v1.12.2/{file}");
            manifest.Labels.ShouldBe(new Dictionary<string, string>
            {
                ["os"] = "talos",
                ["arch"] = arch,
                ["version"] = "v1.12.2",
                ["creator"] = "drover",
                ["type"] = "infra",
                ["talos/schematic"] = QemuGuestAgent[..63],
            }, ignoreOrder: true);
        }
        ImageManifest.Read(arm).Description.ShouldBe($"Talos Linux v1.12.2 ARM, schematic {QemuGuestAgent}");
    }

    [Fact]
    public async Task Build_with_arch_arm_writes_only_the_arm_manifest()
    {
        var outDir = Path.Combine(_cli.Home, "out");

        var result = await _cli.RunAsync("talos", "build", "--schematic", QemuSchematic(), "--version", "v1.12.2", "--arch", "arm", "--role", "worker", "--output-dir", outDir);

        result.ExitCode.ShouldBe(0, result.ToString());
        var path = Path.Combine(outDir, "talos-worker-arm-v1.12.2.manifest.json");
        result.Stdout.ShouldBe(path + "\n");
        Directory.GetFiles(outDir).ShouldBe([path]);
        var manifest = ImageManifest.Read(path);
        manifest.Url.ShouldBe($"https://factory.talos.dev/image/{QemuGuestAgent}/v1.12.2/hcloud-arm64.raw.xz");
        manifest.Labels["arch"].ShouldBe("arm");
        manifest.Labels["role"].ShouldBe("worker");
    }

    [Theory]
    [InlineData("arm,x86")]
    [InlineData("arm", "--arch", "x86")]
    [InlineData("x86, arm,x86")]
    public async Task Build_takes_both_architectures_as_a_list_or_repeated_in_the_order_x86_arm(params string[] arch)
    {
        var outDir = Path.Combine(_cli.Home, "out");

        var result = await _cli.RunAsync(["talos", "build", "--schematic", QemuSchematic(), "--version", "v1.12.2", "--output-dir", outDir, "-o", "json", "--arch", .. arch]);

        result.ExitCode.ShouldBe(0, result.ToString());
        using var doc = JsonDocument.Parse(result.Stdout);
        doc.RootElement.EnumerateArray().Select(e => e.GetProperty("architecture").GetString()).ShouldBe(["x86", "arm"]);
        var x86 = doc.RootElement[0];
        x86.GetProperty("manifest").GetString().ShouldBe(Path.Combine(outDir, "talos-x86-v1.12.2.manifest.json"));
        x86.GetProperty("url").GetString().ShouldEndWith("/hcloud-amd64.raw.xz");
        x86.GetProperty("labels").GetProperty("creator").GetString().ShouldBe("drover");
        x86.TryGetProperty("snapshot", out _).ShouldBeFalse("nothing was uploaded");
    }

    [Theory]
    [InlineData("x86,riscv")]
    [InlineData("amd64")]
    public async Task Build_with_an_unknown_architecture_is_a_usage_error_and_writes_nothing(string arch)
    {
        var outDir = Path.Combine(_cli.Home, "out");

        var result = await _cli.RunAsync("talos", "build", "--schematic", QemuSchematic(), "--version", "v1.12.2", "--arch", arch, "--output-dir", outDir);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldStartWith("error: --arch: '");
        result.Stderr.ShouldContain("is not x86 or arm");
        Directory.Exists(outDir).ShouldBeFalse();
    }

    [Fact]
    public async Task Build_from_another_factory_points_the_manifests_there()
    {
        var outDir = Path.Combine(_cli.Home, "out");

        var result = await _cli.RunAsync("talos", "build", "--schematic", QemuSchematic(), "--version", "v1.12.2", "--arch", "x86", "--factory", "https://factory.example.org/", "--output-dir", outDir);

        result.ExitCode.ShouldBe(0, result.ToString());
        ImageManifest.Read(result.Stdout.Trim()).Url.ShouldBe($"https://factory.example.org/image/{QemuGuestAgent}/v1.12.2/hcloud-amd64.raw.xz");
    }
}
