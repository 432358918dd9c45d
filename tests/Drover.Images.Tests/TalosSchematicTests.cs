using Drover.Images.Talos;
using Shouldly;
using Xunit;

namespace Drover.Images.Tests;

public sealed class TalosSchematicTests
{
    private const string Stock = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba";

    // Inputs and IDs from the Image Factory's own tests and public configs (see the reference notes on schematics).
    public static TheoryData<string, string> KnownPairs => new()
    {
        { "customization: {}\n", Stock },
        { "{}", Stock },
        { "customization: {}", Stock },
        { "customization: {\"extraKernelArgs\": []}", Stock },
        { "customization:\n  systemExtensions: {}\n  extraKernelArgs: []\n", Stock },
        { "customization:\n    extraKernelArgs:\n        - noapic\n        - nolapic\n", "9cba8e32753f91a16c1837ab8abf356af021706ef284aef07380780177d9a06c" },
        { "{\"customization\": {\"extraKernelArgs\": [\"noapic\", \"nolapic\"]}}", "9cba8e32753f91a16c1837ab8abf356af021706ef284aef07380780177d9a06c" },
        { "{\"customization\": {\"extraKernelArgs\": [\"noapic\", \"nolapic\"], \"systemExtensions\": {}}}", "9cba8e32753f91a16c1837ab8abf356af021706ef284aef07380780177d9a06c" },
        { "{\"customization\": {\"meta\": [{\"key\": 10, \"value\": \"foo\"}], \"extraKernelArgs\": [], \"systemExtensions\": {}}}", "d308a2a5ee2277bed5fbaa104fcbc8d59122abfa737df987a95b4ca763459a7f" },
        { "customization:\n  meta:\n    - key: 0xa\n      value: foo\n", "d308a2a5ee2277bed5fbaa104fcbc8d59122abfa737df987a95b4ca763459a7f" },
        { "{\"overlay\": {\"name\": \"rpi_generic\", \"image\": \"siderolabs/sbc-raspberrypi\"}}", "ee21ef4a5ef808a9b7484cc0dda0f25075021691c8c09a276591eedb638ea1f9" },
        { "{\"overlay\": {\"name\": \"rpi_generic\", \"image\": \"siderolabs/sbc-raspberrypi\"},\"customization\":{}}", "ee21ef4a5ef808a9b7484cc0dda0f25075021691c8c09a276591eedb638ea1f9" },
        { "{\"customization\":{\"secureboot\": {\"includeWellKnownCertificates\": true}}}", "fa8e05f142a851d3ee568eb0a8e5841eaf6b0ebc8df9a63df16ac5ed2c04f3e6" },
        { "{\"customization\":{\"diskImage\": {\"sectorSize\": 4096}}}", "92833e9ddd9bb9e11b2464fa5525429f01866306d52ebd882ee08d7918f6d1ea" },
        { "customization:\n  systemExtensions:\n    officialExtensions:\n      - siderolabs/qemu-guest-agent\n", "ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515" },
        { "customization: {systemExtensions: {officialExtensions: [siderolabs/iscsi-tools, siderolabs/util-linux-tools]}}", "613e1592b2da41ae5e265e8789429f22e121aab91cb4deb6bc3c0b6262961245" },
    };

    [Theory]
    [MemberData(nameof(KnownPairs))]
    public void Id_matches_the_image_factory(string text, string expected)
    {
        // Act
        var id = TalosSchematic.Parse(text, "schematic.yaml").Id;

        // Assert
        id.ShouldBe(expected);
    }

    // The reference notes give these two only shortened; the prefix and suffix are what they promise.
    [Theory]
    [InlineData("customization:\n  meta:\n    - key: 10\n      value: foo\n", "d308a2a5", "59a7f")]
    [InlineData("customization:\n  diskImage:\n    sectorSize: 4096\n", "92833e9d", "f6d1ea")]
    [InlineData("customization:\n  secureboot:\n    includeWellKnownCertificates: true\n", "fa8e05f1", "04f3e6")]
    [InlineData("overlay:\n  image: siderolabs/sbc-raspberrypi\n  name: rpi_generic\ncustomization: {}\n", "ee21ef4a", "8ea1f9")]
    [InlineData("customization:\n  systemExtensions:\n    officialExtensions: [siderolabs/iscsi-tools, siderolabs/util-linux-tools]\n", "613e1592", "961245")]
    public void Shortened_reference_ids_match_by_prefix_and_suffix(string text, string prefix, string suffix)
    {
        var id = TalosSchematic.Parse(text, "s.yaml").Id;

        id.ShouldStartWith(prefix);
        id.ShouldEndWith(suffix);
        id.Length.ShouldBe(64);
    }

    [Fact]
    public void Canonical_form_uses_go_field_order_and_four_space_indent()
    {
        // Arrange: fields in a different order than the factory's struct, two-space indent
        const string text = """
            customization:
              diskImage:
                sectorSize: 4096
              secureboot:
                includeWellKnownCertificates: true
                enrollKeys: auto
              bootloader: sd-boot
              systemExtensions:
                officialExtensions: [siderolabs/iscsi-tools]
              meta:
                - value: "0xa"
                  key: 12
              extraKernelArgs: [console=ttyS0, "net.ifnames=0"]
            overlay:
              name: rpi_generic
              image: siderolabs/sbc-raspberrypi
            """;

        // Act
        var canonical = TalosSchematic.Parse(text, "s.yaml").Canonical();

        // Assert
        canonical.ShouldBe("""
            overlay:
                image: siderolabs/sbc-raspberrypi
                name: rpi_generic
            customization:
                extraKernelArgs:
                    - console=ttyS0
                    - net.ifnames=0
                meta:
                    - key: 12
                      value: "0xa"
                systemExtensions:
                    officialExtensions:
                        - siderolabs/iscsi-tools
                bootloader: sd-boot
                secureboot:
                    enrollKeys: auto
                    includeWellKnownCertificates: true
                diskImage:
                    sectorSize: 4096

            """.Replace("\r", "", StringComparison.Ordinal));
    }

    [Fact]
    public void List_order_changes_the_id()
    {
        var a = TalosSchematic.Parse("customization: {extraKernelArgs: [a, b]}", "a");
        var b = TalosSchematic.Parse("customization: {extraKernelArgs: [b, a]}", "b");

        a.Id.ShouldNotBe(b.Id);
    }

    [Theory]
    [InlineData("true", "\"true\"")]
    [InlineData("123", "\"123\"")]
    [InlineData("0x1F", "\"0x1F\"")]
    [InlineData("1.5", "\"1.5\"")]
    [InlineData("1e3", "\"1e3\"")]
    [InlineData("~", "\"~\"")]
    [InlineData("yes", "\"yes\"")]
    [InlineData("1:20", "\"1:20\"")]
    [InlineData("2024-01-02", "\"2024-01-02\"")]
    [InlineData("-", "'-'")]
    [InlineData("a: b", "'a: b'")]
    [InlineData("#x", "'#x'")]
    [InlineData(" lead", "' lead'")]
    [InlineData("it's", "it's")]
    [InlineData("tab\there", "\"tab\\there\"")]
    [InlineData("console=tty0", "console=tty0")]
    [InlineData("a#b", "a#b")]
    [InlineData("v1.2.3", "v1.2.3")]
    public void Strings_are_quoted_as_the_go_encoder_quotes_them(string value, string expected)
    {
        // Arrange: the value arrives double-quoted, so it is a string whatever it looks like
        var json = "{\"customization\": {\"extraKernelArgs\": [\"" + value.Replace("\t", "\\t", StringComparison.Ordinal) + "\"]}}";

        // Act
        var canonical = TalosSchematic.Parse(json, "s.json").Canonical();

        // Assert
        canonical.ShouldBe($"customization:\n    extraKernelArgs:\n        - {expected}\n");
    }

    [Fact]
    public void Embedded_machine_configuration_is_a_literal_block()
    {
        var s = TalosSchematic.Empty with
        {
            Customization = new SchematicCustomization { EmbeddedMachineConfiguration = "version: v1alpha1\nmachine:\n  type: worker\n" },
        };

        s.Canonical().ShouldBe("customization:\n    embeddedMachineConfiguration: |\n        version: v1alpha1\n        machine:\n          type: worker\n");
    }

    [Fact]
    public void Overlay_options_are_written_with_sorted_keys_and_typed_values()
    {
        var s = TalosSchematic.Parse("""
            overlay:
              image: siderolabs/sbc-rockchip
              name: turingrk1
              options:
                zeta: [1, "2", 1.50, true, null]
                alpha: {b: x, a: "y"}
                key10: a
                key9: b
            """, "s.yaml");

        s.Canonical().ShouldBe("""
            overlay:
                image: siderolabs/sbc-rockchip
                name: turingrk1
                options:
                    alpha:
                        a: "y"
                        b: x
                    key9: b
                    key10: a
                    zeta:
                        - 1
                        - "2"
                        - 1.5
                        - true
                        - null
            customization: {}

            """);
    }

    [Theory]
    [InlineData("customization:\n  systemExtension:\n    officialExtensions: [siderolabs/iscsi-tools]\n", 2, 3, "unknown field 'systemExtension' in customization")]
    [InlineData("customisation: {}\n", 1, 1, "unknown field 'customisation' in schematic")]
    [InlineData("customization:\n  secureboot:\n    includeWellKnownCertificates: maybe\n", 3, 35, "expected true or false")]
    [InlineData("customization:\n  meta:\n    - key: 256\n      value: x\n", 3, 12, "out of range")]
    [InlineData("customization:\n  extraKernelArgs: noapic\n", 2, 20, "expected a list")]
    [InlineData("customization:\n  extraKernelargs: [noapic]\n", 2, 3, "did you mean 'extraKernelArgs'?")]
    [InlineData("customization: {}\ncustomization: {}\n", 2, 1, "")]
    [InlineData("", 1, 1, "empty schematic")]
    [InlineData("customization: [\n", 2, 1, "not valid YAML")]
    public void Bad_input_names_file_line_column_and_field(string text, int line, int column, string problem)
    {
        // Act
        var e = Should.Throw<TalosSchematicException>(() => TalosSchematic.Parse(text, "talos/schematic.yaml"));

        // Assert
        e.SourceName.ShouldBe("talos/schematic.yaml");
        e.Line.ShouldBe(line);
        e.Column.ShouldBe(column);
        e.Message.ShouldStartWith($"talos/schematic.yaml:{line}:{column}: ");
        e.Message.ShouldContain(problem);
    }

    [Fact]
    public void With_appends_extensions_in_order_and_skips_duplicates()
    {
        var base_ = TalosSchematic.Parse("customization: {systemExtensions: {officialExtensions: [siderolabs/iscsi-tools, siderolabs/util-linux-tools]}}", "b");

        var derived = base_.With(["siderolabs/util-linux-tools", "siderolabs/tailscale"]);

        derived.Customization.OfficialExtensions.ShouldBe(["siderolabs/iscsi-tools", "siderolabs/util-linux-tools", "siderolabs/tailscale"]);
        base_.Customization.OfficialExtensions.Count.ShouldBe(2);
        base_.With().Id.ShouldBe(base_.Id);
    }
}
