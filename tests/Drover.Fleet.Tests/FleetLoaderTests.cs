using Drover.Core.Nix;
using Drover.Fleet.Config;
using Shouldly;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace Drover.Fleet.Tests;

public sealed class FleetLoaderTests : IDisposable
{
    private readonly ConfigDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Full = """
        fleet: example
        defaults:
          location: fsn1
          server_type: cx23
          ssh_keys:
            - name: admin
              public_key_file: .drover/id_ed25519.pub
          identity_file: .drover/id_ed25519
          labels: {env: dev}
          admin_user: admin
          domain: example.internal
          flake: github:example/infra
          secrets_path: /var/lib/drover/secrets
        images:
          debian: {name: debian-12}
          base: {id: 12345, labels: {os: debian}}
          talos-worker: {selector: "os=talos,role=worker", architecture: x86}
        hosts:
          web1:
            role: web
            image: debian
            server_type: cx23
            location: nbg1
            labels: {tier: front}
            networks: [net-a, 42]
            firewalls: [fw-web]
            volumes: []
            user_data:
              templates: [cloud-init/web.yaml]
              variables: {ROLE: web}
            network: {interface: eth0, address: 10.0.0.5/24, gateway: 10.0.0.1, dns: [1.1.1.1]}
            flake: github:example/other
            admin_user: root2
            domain: other.internal
            target_host: root@203.0.113.10
            converge: "nixos-rebuild switch --flake github:example/infra#web1"
            secrets_path: /srv/secrets
          web2:
            image: 777
            impure: true
          db1:
            image: ubuntu-24.04
          w1:
            image_selector: "os=talos"
            architecture: arm
            server_type: cax11
          w2:
            image: talos-worker
        """;

    private FleetFile LoadFull()
    {
        _dir.Write(".drover/id_ed25519.pub", ConfigDir.PublicKey + "\n").Write("cloud-init/web.yaml", "#cloud-config\n").Write("drover.yaml", Full);
        return FleetLoader.Load(_dir.FleetPath);
    }

    private FleetConfigException Refused(string yaml)
    {
        _dir.Write("drover.yaml", yaml);
        return Should.Throw<FleetConfigException>(() => FleetLoader.Load(_dir.FleetPath));
    }

    [Fact]
    public void Every_key_of_the_format_loads_into_the_model()
    {
        var fleet = LoadFull();

        fleet.Name.ShouldBe("example");
        fleet.Defaults.SshKeys.Single().PublicKey.ShouldBe(ConfigDir.PublicKey);
        fleet.Defaults.IdentityFile.ShouldBe(".drover/id_ed25519");
        fleet.Images.Select(i => i.Kind).ShouldBe([ImageKind.Named, ImageKind.Pinned, ImageKind.Selector]);
        fleet.FindImage("base")!.ExpectLabels["os"].ShouldBe("debian");
        var web1 = fleet.FindHost("web1")!;
        web1.Image.ShouldBeSameAs(fleet.FindImage("debian"));
        web1.Location.ShouldBe("nbg1");
        web1.Labels.ShouldBe(new Dictionary<string, string> { ["env"] = "dev", ["tier"] = "front" }, ignoreOrder: true);
        web1.Networks.ShouldBe(["net-a", "42"]);
        web1.UserData.Templates.ShouldBe(["cloud-init/web.yaml"]);
        web1.UserData.Variables["ROLE"].ShouldBe("web");
        web1.Network!.Dns.ShouldBe(["1.1.1.1"]);
        web1.Flake.ShouldBe("github:example/other");
        web1.SecretsPath.ShouldBe("/srv/secrets");
        web1.TargetHost.ShouldBe("root@203.0.113.10");
        var web2 = fleet.FindHost("web2")!;
        web2.Image.ShouldBe(new ImageSpec { Name = "hosts.web2", Kind = ImageKind.Pinned, Id = 777, SourcePath = "hosts.web2", ExpectLabels = web2.Image.ExpectLabels });
        web2.ServerType.ShouldBe("cx23");
        web2.Location.ShouldBe("fsn1");
        web2.Flake.ShouldBe("github:example/infra");
        web2.Impure.ShouldBeTrue();
        web2.EffectiveConverge.ShouldBe("nixos-rebuild switch --flake 'github:example/infra#web2' --impure");
        web1.Impure.ShouldBeFalse();
        fleet.FindHost("db1")!.Image.ImageName.ShouldBe("ubuntu-24.04");
        fleet.FindHost("w1")!.Image.ShouldSatisfyAllConditions(i => i.Kind.ShouldBe(ImageKind.Selector), i => i.Architecture.ShouldBe("arm"));
        fleet.Hosts.Select(h => h.Name).ShouldBe(["web1", "web2", "db1", "w1", "w2"]);
    }

    [Fact]
    public void Sources_name_the_line_and_column_of_every_field()
    {
        var fleet = LoadFull();

        fleet.Sources.Find("hosts.web1.image").ShouldBe(new SourceLocation(_dir.FleetPath, 21, 12));
        fleet.Sources.Find("hosts.web1").ShouldBe(new SourceLocation(_dir.FleetPath, 19, 3));
        fleet.Sources.Find("defaults.ssh_keys[0].public_key").ShouldBe(new SourceLocation(_dir.FleetPath, 7, 24));
        fleet.Sources.Find("hosts.web1.networks[1]").ShouldBe(new SourceLocation(_dir.FleetPath, 25, 23));
        fleet.Sources.Find("hosts.web2.role").ShouldBe(fleet.Sources.Find("hosts.web2"));
    }

    [Fact]
    public void A_typo_is_reported_with_position_field_and_suggestion()
    {
        var e = Refused("""
            fleet: f
            defaults: {location: fsn1}
            hosts:
              web1:
                image: debian-12
                server_tpye: cx23
            """);

        e.Diagnostics.Select(d => d.ToString()).ShouldContain($"{_dir.FleetPath}:6:5: hosts.web1.server_tpye: unknown key (did you mean 'server_type'?)");
        e.Diagnostics.Count.ShouldBe(2); // and the server type is then missing
        e.Diagnostics.ShouldContain(d => d.Message.Contains("no server type", StringComparison.Ordinal));
    }

    [Fact]
    public void All_problems_are_reported_at_once_with_the_expected_type()
    {
        var e = Refused("""
            fleet: f
            defaults: {location: fsn1, server_type: cx23, labels: 5}
            images:
              bad: {id: abc}
              two: {id: 1, name: x}
            hosts:
              Web_1:
                image: x
                server_type: [a]
                labels: {drover/host: x, "bad key!": v}
              db1:
                image: 1
                image_selector: "os=x"
              h3:
                image_selector: "os in ("
                architecture: mips
              h4:
                image: 1
                architecture: arm
                user_data: {templates: [missing.yaml], variables: {lower: x, HOSTNAME: y}}
                network: {address: 10.0.0.5}
            """);

        var text = e.Diagnostics.Select(d => $"{d.Location!.Value.Line}:{d.Location.Value.Column} {d.Field}: {d.Message}").ToList();
        text.ShouldContain(t => t.StartsWith("2:55 defaults.labels: expected a mapping, got the scalar '5'", StringComparison.Ordinal));
        text.ShouldContain(t => t.StartsWith("4:13 images.bad.id: expected a positive integer ID, got the scalar 'abc'", StringComparison.Ordinal));
        text.ShouldContain(t => t.StartsWith("5:3 images.two: set exactly one of", StringComparison.Ordinal));
        text.ShouldContain(t => t.StartsWith("7:3 hosts.Web_1: 'Web_1' is not a valid host name", StringComparison.Ordinal));
        text.ShouldContain(t => t.StartsWith("9:18 hosts.Web_1.server_type: expected a string, got a list", StringComparison.Ordinal));
        text.ShouldContain(t => t.StartsWith("10:14 hosts.Web_1.labels.drover/host: keys starting with 'drover/' are reserved", StringComparison.Ordinal));
        text.ShouldContain(t => t.StartsWith("10:30 hosts.Web_1.labels.bad key!:", StringComparison.Ordinal));
        text.ShouldContain(t => t.StartsWith("11:3 hosts.db1: set exactly one of 'image'", StringComparison.Ordinal));
        text.ShouldContain(t => t.StartsWith("15:21 hosts.h3.image_selector: not a label selector", StringComparison.Ordinal));
        text.ShouldContain(t => t.StartsWith("16:19 hosts.h3.architecture: 'mips' is not an architecture", StringComparison.Ordinal));
        text.ShouldContain(t => t.StartsWith("19:5 hosts.h4.architecture: only applies with 'image_selector'", StringComparison.Ordinal));
        text.ShouldContain(t => t.StartsWith("20:29 hosts.h4.user_data.templates[0]: template not found", StringComparison.Ordinal));
        text.ShouldContain(t => t.StartsWith("20:56 hosts.h4.user_data.variables.lower: a variable name must match", StringComparison.Ordinal));
        text.Count.ShouldBe(15);
        text.ShouldContain(t => t.StartsWith("20:66 hosts.h4.user_data.variables.HOSTNAME: ${HOSTNAME} is a built-in placeholder", StringComparison.Ordinal));
        e.Diagnostics.Select(d => d.Location!.Value.Line).ShouldBeInOrder();
        text.ShouldContain(t => t.StartsWith("21:24 hosts.h4.network.address: '10.0.0.5' is not an address with a prefix length", StringComparison.Ordinal));
    }

    [Fact]
    public void Impure_adds_the_flag_to_the_default_converge_command_and_rides_in_the_user_data()
    {
        // Arrange
        _dir.Write("drover.yaml", """
            fleet: f
            defaults: {location: fsn1, server_type: cx23, flake: "github:example/infra?ref=main", impure: true}
            hosts:
              web1: {image: debian-12}
              web2: {image: debian-12, impure: false}
              web3: {image: debian-12, flake: github:example/other}
              db1: {image: debian-12, converge: make converge}
            """);

        // Act
        var fleet = FleetLoader.Load(_dir.FleetPath);

        // Assert: one place builds the command (NixosRebuild), the fleet and the agent alike.
        var web1 = fleet.FindHost("web1")!;
        fleet.Defaults.Impure.ShouldBe(true);
        web1.Impure.ShouldBeTrue();
        web1.EffectiveConverge.ShouldBe("nixos-rebuild switch --flake 'github:example/infra?ref=main#web1' --impure");
        web1.EffectiveConverge.ShouldBe(NixosRebuild.Switch("github:example/infra?ref=main", "web1", impure: true).CommandLine);
        fleet.FindHost("web2")!.EffectiveConverge.ShouldBe("nixos-rebuild switch --flake 'github:example/infra?ref=main#web2'");
        fleet.FindHost("web3")!.EffectiveConverge.ShouldBe("nixos-rebuild switch --flake 'github:example/other#web3' --impure");
        fleet.FindHost("db1")!.EffectiveConverge.ShouldBe("make converge");

        var drover = DroverMapping(HostUserData.Render(fleet, web1).Content);
        ((YamlScalarNode)drover.Children["flake"]).Value.ShouldBe("github:example/infra?ref=main");
        ((YamlScalarNode)drover.Children["converge"]).Value.ShouldBe(web1.EffectiveConverge);
        var impure = (YamlScalarNode)drover.Children["impure"];
        (impure.Value, impure.Style).ShouldBe(("true", YamlDotNet.Core.ScalarStyle.Plain), "a YAML boolean, as drover-agent requires");
        DroverMapping(HostUserData.Render(fleet, fleet.FindHost("web2")!).Content).Children.ContainsKey(new YamlScalarNode("impure")).ShouldBeFalse();
    }

    [Fact]
    public void Impure_must_be_a_yaml_boolean_and_needs_a_flake_without_an_attribute()
    {
        var e = Refused("""
            fleet: f
            defaults: {location: fsn1, server_type: cx23, impure: "true"}
            hosts:
              web1:
                image: debian-12
                flake: github:o/r
                impure: yes
              web2:
                image: debian-12
                impure: true
              web3:
                image: debian-12
                flake: github:o/r
                converge: make
                impure: true
              web4:
                image: debian-12
                flake: "github:o/r#web4"
              web5:
                image: debian-12
                flake: "github:o/r#web5"
                converge: nixos-rebuild switch --flake "$(cat /etc/nix-flake-target)"
            """);

        e.Diagnostics.Select(d => d.ToString()).ShouldBe(
        [
            $"{_dir.FleetPath}:2:55: defaults.impure: expected true or false (a YAML boolean, unquoted), got the scalar 'true'",
            $"{_dir.FleetPath}:7:13: hosts.web1.impure: expected true or false (a YAML boolean, unquoted), got the scalar 'yes'",
            $"{_dir.FleetPath}:10:5: hosts.web2.impure: only applies with a 'flake' (the converge command nixos-rebuild switch --flake REF#NAME --impure); set one for the host or under 'defaults'",
            $"{_dir.FleetPath}:15:5: hosts.web3.impure: only applies to the default converge command (nixos-rebuild from 'flake'); 'converge' replaces it",
            $"{_dir.FleetPath}:18:12: hosts.web4.flake: flake reference 'github:o/r#web4' names an attribute ('#web4'): give the flake alone, the host name selects nixosConfigurations.HOST (or set 'converge' for a command of your own)",
        ]);

        var inherited = Refused("fleet: f\ndefaults: {location: fsn1, server_type: cx23, flake: \"\"}\nhosts:\n  web1: {image: debian-12}\n");
        inherited.Diagnostics.Single().ToString().ShouldBe(
            $"{_dir.FleetPath}:4:3: hosts.web1: 'defaults.flake' cannot make this host's converge command: the flake reference is empty; set a 'flake' or 'converge' of its own");
    }

    private static YamlMappingNode DroverMapping(string userData)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(userData));
        return (YamlMappingNode)((YamlMappingNode)stream.Documents.Single().RootNode).Children["drover"];
    }

    [Fact]
    public void An_image_of_the_wrong_architecture_is_refused_at_the_image_field()
    {
        var e = Refused("""
            fleet: f
            defaults: {location: fsn1, server_type: cax11}
            images:
              talos: {selector: "os=talos", architecture: x86}
            hosts:
              w1:
                image: talos
              w2:
                image_selector: os=talos
                architecture: arm
                server_type: cpx21
              w3:
                image_selector: os=talos
                architecture: arm
            """);

        e.Diagnostics.Count.ShouldBe(2, e.Message);
        e.Diagnostics[0].ToString().ShouldBe($"{_dir.FleetPath}:7:12: hosts.w1.image: image 'talos' is for x86 but server type 'cax11' is arm; use an arm image or a cx/cpx/ccx server type");
        e.Diagnostics[1].Field.ShouldBe("hosts.w2.image_selector");
        e.Diagnostics[1].Message.ShouldContain("the image is for arm but server type 'cpx21' is x86");
    }

    [Theory]
    [InlineData("cax21", "arm")]
    [InlineData("CAX11", "arm")]
    [InlineData("cx23", "x86")]
    [InlineData("cpx31", "x86")]
    [InlineData("ccx13", "x86")]
    [InlineData("gpu1", null)]
    public void Server_type_families_give_the_architecture(string type, string? arch)
        => FleetLoader.ServerTypeArchitecture(type).ShouldBe(arch);

    [Fact]
    public void Syntax_errors_give_the_parsers_position()
    {
        var e = Refused("fleet: f\nhosts:\n  web1: {image: 1\n");

        e.Diagnostics.Single().Field.ShouldBe("(yaml)");
        e.Diagnostics.Single().Location!.Value.Line.ShouldBeGreaterThanOrEqualTo(3);
    }

    [Fact]
    public void Empty_files_duplicate_keys_and_missing_fields_are_refused()
    {
        Refused("").Diagnostics.Single().ToString().ShouldBe($"{_dir.FleetPath}:1:1: (file): the file is empty; it needs at least 'fleet:' and 'hosts:'");
        Refused("# only a comment\n").Diagnostics.Single().Field.ShouldBe("(file)");

        var dup = Refused("fleet: f\nhosts:\n  a: {image: 1, server_type: cx23, location: fsn1}\n  a: {image: 2}\nfleet: g\n");
        dup.Diagnostics.Select(d => d.ToString()).ShouldBe(
        [
            $"{_dir.FleetPath}:5:1: fleet: duplicate key (first set at line 1)",
            $"{_dir.FleetPath}:4:3: hosts.a: duplicate key (first set at line 3)",
        ], ignoreOrder: true);

        Refused("defaults: {}\n").Diagnostics.Select(d => d.Field).ShouldBe(["fleet", "hosts"]);
    }

    [Fact]
    public void Public_key_files_must_exist_and_hold_a_public_key()
    {
        _dir.Write("id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n");

        var e = Refused("""
            fleet: f
            defaults:
              ssh_keys:
                - {name: a, public_key_file: nope.pub}
                - {name: b, public_key_file: id_ed25519}
                - {name: c, public_key: "not a key"}
                - {name: d}
            hosts: {}
            """);

        e.Diagnostics.Select(d => (d.Location!.Value.Line, d.Field)).ShouldBe(
        [
            (4, "defaults.ssh_keys[0].public_key_file"),
            (5, "defaults.ssh_keys[1].public_key_file"),
            (6, "defaults.ssh_keys[2].public_key"),
            (7, "defaults.ssh_keys[3]"),
        ]);
        e.Diagnostics[0].Message.ShouldContain("file not found");
        e.Diagnostics[1].Message.ShouldContain("private key?");
    }
}
