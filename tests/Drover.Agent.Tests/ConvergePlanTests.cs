using System.Text;
using Drover.Core.Nix;
using Shouldly;
using Xunit;

namespace Drover.Agent.Tests;

public sealed class ConvergePlanTests
{
    [Fact]
    public void Drover_mapping_gives_flake_and_command()
    {
        var plan = ConvergePlan.From(Encoding.UTF8.GetBytes("#cloud-config\ndrover:\n  flake: github:o/r\n  converge: make converge\n"), "web1");

        plan.ShouldBe(new ConvergePlan("github:o/r", "make converge"));
    }

    [Fact]
    public void Flake_alone_means_nixos_rebuild_for_the_hostname()
    {
        var plan = ConvergePlan.From(Encoding.UTF8.GetBytes("#cloud-config\ndrover:\n  flake: github:o/r\n"), "web1");

        plan.ShouldBe(new ConvergePlan("github:o/r", "nixos-rebuild switch --flake 'github:o/r#web1'"));
        plan.Command.ShouldBe(NixosRebuild.Switch("github:o/r", "web1").CommandLine);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("false", false)]
    [InlineData("FALSE", false)]
    [InlineData("~", false)]
    [InlineData("", false)]
    public void Impure_asks_for_nixos_rebuild_with_impure(string value, bool impure)
    {
        var plan = ConvergePlan.From(Encoding.UTF8.GetBytes($"#cloud-config\ndrover:\n  flake: github:o/r?ref=main\n  impure: {value}\n"), "web1");

        plan.ShouldBe(new ConvergePlan("github:o/r?ref=main", NixosRebuild.Switch("github:o/r?ref=main", "web1", impure).CommandLine, impure));
        plan.Command.ShouldBe(impure
            ? "nixos-rebuild switch --flake 'github:o/r?ref=main#web1' --impure"
            : "nixos-rebuild switch --flake 'github:o/r?ref=main#web1'");
    }

    [Fact]
    public void Impure_leaves_an_explicit_converge_command_alone()
    {
        var plan = ConvergePlan.From(Encoding.UTF8.GetBytes("#cloud-config\ndrover: {flake: github:o/r, converge: make converge, impure: true}\n"), "web1");

        plan.ShouldBe(new ConvergePlan("github:o/r", "make converge", Impure: true));
    }

    [Theory]
    [InlineData("yes", "got 'yes'")]
    [InlineData("1", "got '1'")]
    [InlineData("\"true\"", "got \"true\" (quoted: a string)")]
    [InlineData("[true]", "got a list")]
    [InlineData("{a: b}", "got a mapping")]
    public void Impure_other_than_a_yaml_boolean_is_an_error_naming_the_key(string value, string got)
    {
        var userData = Encoding.UTF8.GetBytes($"#cloud-config\ndrover:\n  flake: github:o/r\n  impure: {value}\n");

        Should.Throw<AgentException>(() => ConvergePlan.From(userData, "web1")).Message
            .ShouldBe($"the user-data's drover.impure must be true or false (a YAML boolean), {got}");
    }

    [Fact]
    public void A_flake_with_an_attribute_cannot_make_the_default_command()
    {
        var withAttribute = Encoding.UTF8.GetBytes("#cloud-config\ndrover:\n  flake: github:o/r#web1\n");
        var withCommand = Encoding.UTF8.GetBytes("#cloud-config\ndrover:\n  flake: github:o/r#web1\n  converge: make\n");

        Should.Throw<AgentException>(() => ConvergePlan.From(withAttribute, "web1")).Message.ShouldBe(
            "the user-data's flake cannot be converged with nixos-rebuild: flake reference 'github:o/r#web1' names an attribute ('#web1'): "
            + "give the flake alone, the host name selects nixosConfigurations.HOST");
        ConvergePlan.From(withCommand, "web1").ShouldBe(new ConvergePlan("github:o/r#web1", "make"));
    }

    [Fact]
    public void Write_files_entry_names_the_flake_plain_or_base64()
    {
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes("git+https://example/infra\n"));
        var plain = "#cloud-config\nwrite_files:\n- path: /etc/other\n  content: x\n- path: /etc/nix-flake-target\n  content: \"path:/srv/infra\\n\"\n";
        var b64 = $"#cloud-config\nwrite_files:\n- path: /etc/nix-flake-target\n  encoding: b64\n  content: {encoded}\n";

        ConvergePlan.From(Encoding.UTF8.GetBytes(plain), "h").Flake.ShouldBe("path:/srv/infra");
        ConvergePlan.From(Encoding.UTF8.GetBytes(b64), "h").ShouldBe(new ConvergePlan("git+https://example/infra", "nixos-rebuild switch --flake 'git+https://example/infra#h'"));
    }

    [Fact]
    public void Cloud_config_part_of_a_multipart_is_read()
    {
        const string text = """
            Content-Type: multipart/mixed; boundary="==drover-boundary-0=="
            MIME-Version: 1.0

            --==drover-boundary-0==
            Content-Type: text/x-shellscript; charset="utf-8"

            #!/bin/sh
            echo drover: {flake: nope}
            --==drover-boundary-0==
            Content-Type: text/cloud-config; charset="utf-8"
            MIME-Version: 1.0

            #cloud-config
            drover:
              flake: github:o/multi

            --==drover-boundary-0==--

            """;

        ConvergePlan.From(Encoding.UTF8.GetBytes(text), "h").Flake.ShouldBe("github:o/multi");
    }

    [Theory]
    [InlineData("")]
    [InlineData("#!/bin/sh\necho hi\n")]
    [InlineData("#cloud-config\nruncmd: [[touch, /x]]\n")]
    public void Nothing_named_means_no_flake_and_no_command(string userData)
    {
        ConvergePlan.From(Encoding.UTF8.GetBytes(userData), "h").ShouldBe(ConvergePlan.None);
        ConvergePlan.From(null, "h").ShouldBe(ConvergePlan.None);
    }

    [Fact]
    public void Base64_encoded_user_data_is_decoded_like_cloud_init_does()
    {
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes("#cloud-config\ndrover:\n  converge: true\n"));

        ConvergePlan.From(Encoding.UTF8.GetBytes(encoded), "h").Command.ShouldBe("true");
    }

    [Fact]
    public void Shipped_unit_and_nixos_module_are_embedded()
    {
        var unit = AgentFiles.SystemdUnit;
        unit.ShouldContain("Type=oneshot\n");
        unit.ShouldContain("Wants=network-online.target\n");
        unit.ShouldContain("After=network-online.target drover-ssh-hostkeys.service\n", customMessage: "the image's instance check runs first");
        unit.ShouldNotContain("ConditionPathExists", customMessage: "the agent itself decides from the marker and the SMBIOS serial (a snapshot's clone runs again)");
        unit.ShouldContain("ExecStart=/usr/local/bin/drover-agent\n");
        unit.ShouldContain("StandardOutput=journal+console\n");
        unit.ShouldContain("RemainAfterExit=yes\n");
        unit.ShouldContain("WantedBy=multi-user.target\n");

        var module = AgentFiles.NixosModule;
        module.ShouldContain("options.services.drover-agent");
        module.ShouldContain("drover.nixosModules.hcloud", customMessage: "config.hcloud.* lives in nix/modules/hcloud.nix; this module names it");
        module.ShouldContain($"{AgentCommandLine.NetworkDirVariable}=${{cfg.networkDirectory}}", customMessage: "the agent reads the network directory the module sets");
        module.ShouldContain($"{AgentCommandLine.MetadataUrlVariable}=${{cfg.metadataUrl}}");
        module.Count(c => c == '{').ShouldBe(module.Count(c => c == '}'));
        module.Count(c => c == '[').ShouldBe(module.Count(c => c == ']'));
    }
}
