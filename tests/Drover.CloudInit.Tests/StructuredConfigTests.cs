using Shouldly;
using Xunit;

namespace Drover.CloudInit.Tests;

public class StructuredConfigTests
{
    public static TheoryData<string, UserDataInput> Inputs => new()
    {
        { "hostname only", new UserDataInput { Hostname = "web1" } },
        { "keys for the default user", new UserDataInput { Hostname = "web1", SshAuthorizedKeys = [Examples.AdminKey] } },
        { "admin, no domain", new UserDataInput { Hostname = "web1", AdminUser = "ops", SshAuthorizedKeys = [Examples.AdminKey, Examples.CiKey] } },
        { "domain and flake", new UserDataInput { Hostname = "web1", Domain = "fleet.example", AdminUser = "ops", FlakeRef = "git+https://git.example/fleet#web1" } },
        { "converge", Examples.Full() with { Network = null } },
        { "everything", Examples.Full() },
        { "nixos groups", Examples.Full() with { AdminGroups = ["wheel", "systemd-journal"] } },
        { "impure flake", new UserDataInput { Hostname = "web1", FlakeRef = "github:example/infra", ConvergeCommand = "nixos-rebuild switch --flake 'github:example/infra#web1' --impure", Impure = true } },
    };

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Structured_output_passes_cloud_init_schema(string example, UserDataInput input)
    {
        // Act
        var data = UserDataRenderer.Render(input);

        // Assert
        data.IsMultipart.ShouldBeFalse();
        data.Parts.Single().ContentType.ShouldBe(ContentTypes.CloudConfig);
        CloudInitSchema.AssertValid(data.Content, example);
    }

    [Fact]
    public void Structured_output_has_host_admin_flake_and_bootstrap_unit()
    {
        // Act
        var content = UserDataRenderer.Render(Examples.Full()).Content;
        var root = Yaml.Root(content);

        // Assert
        content.ShouldStartWith("#cloud-config\n");
        root.Text("hostname").ShouldBe("web1");
        root.Text("fqdn").ShouldBe("web1.fleet.example");
        root.Text("manage_etc_hosts").ShouldBe("true");
        root.Text("users", 0, "name").ShouldBe("ops");
        root.Text("users", 0, "sudo").ShouldBe("ALL=(ALL) NOPASSWD:ALL");
        root.Text("users", 0, "shell").ShouldBe("/bin/bash");
        root.Text("users", 0, "groups").ShouldBe("sudo");
        root.Text("users", 0, "lock_passwd").ShouldBe("true");
        root.Items("users", 0, "ssh_authorized_keys").ShouldBe([Examples.AdminKey, Examples.CiKey]);

        var files = Enumerable.Range(0, 4).ToDictionary(i => root.Text("write_files", i, "path"), i => root.Text("write_files", i, "content"));
        files["/etc/nix-flake-target"].ShouldBe("git+https://git.example/fleet#web1\n");
        files["/etc/systemd/network/10-drover-static.network"].ShouldBe(
            "[Match]\nName=ens18\n\n[Network]\nAddress=10.0.1.10/24\nGateway=10.0.1.1\nDNS=10.0.1.2\nDNS=1.1.1.1\n");

        var unit = files["/etc/systemd/system/drover-bootstrap.service"];
        unit.ShouldContain("Type=oneshot\n");
        unit.ShouldContain("ConditionPathExists=!/var/lib/drover/bootstrap.done\n");
        unit.ShouldContain("ExecStart=/bin/sh /etc/drover/bootstrap.sh\n");
        unit.ShouldContain("WantedBy=multi-user.target\n");

        var script = files["/etc/drover/bootstrap.sh"];
        script.ShouldContain("\nnixos-rebuild switch --flake \"$(cat /etc/nix-flake-target)\"\nmkdir -p /var/lib/drover\ntouch /var/lib/drover/bootstrap.done\nsystemctl disable drover-bootstrap.service\n");
        root.Text("write_files", 2, "permissions").ShouldBe("0755");

        root.Items("runcmd", 1).ShouldBe(["systemctl", "daemon-reload"]);
        root.Items("runcmd", 2).ShouldBe(["systemctl", "enable", "--now", "--no-block", "drover-bootstrap.service"]);
    }

    [Fact]
    public void Without_domain_flake_or_converge_those_parts_are_left_out()
    {
        var root = Yaml.Root(UserDataRenderer.Render(new UserDataInput { Hostname = "web1", AdminUser = "ops" }).Content);

        root.Has("fqdn").ShouldBeFalse();
        root.Has("write_files").ShouldBeFalse();
        root.Has("runcmd").ShouldBeFalse();
        root.Has("drover").ShouldBeFalse();
        root.At("users", 0).Has("ssh_authorized_keys").ShouldBeFalse();
    }

    [Fact]
    public void Impure_is_a_yaml_boolean_in_the_drover_mapping_for_the_agent()
    {
        // Arrange
        var input = new UserDataInput { Hostname = "web1", FlakeRef = "github:example/infra", Impure = true };

        // Act
        var root = Yaml.Root(UserDataRenderer.Render(input).Content);
        var pure = Yaml.Root(UserDataRenderer.Render(input with { Impure = false }).Content);

        // Assert
        var impure = (YamlDotNet.RepresentationModel.YamlScalarNode)root.At("drover", "impure");
        impure.Value.ShouldBe("true");
        impure.Style.ShouldBe(YamlDotNet.Core.ScalarStyle.Plain);
        root.Text("drover", "flake").ShouldBe("github:example/infra");
        pure.At("drover").Has("impure").ShouldBeFalse();
    }

    [Theory]
    [InlineData("it's \"quoted\" && echo 'a: b' # not a comment")]
    [InlineData("echo 100% $HOME ${X:-y} `date`")]
    [InlineData("line one\nline two")]
    public void Awkward_values_survive_the_yaml(string command)
    {
        // Arrange
        var input = new UserDataInput
        {
            Hostname = "web1",
            AdminUser = "ops: #admin",
            SshAuthorizedKeys = ["ssh-ed25519 AAAA key: with # hash", "- leading dash"],
            FlakeRef = "true",
            ConvergeCommand = command,
        };

        // Act
        var content = UserDataRenderer.Render(input).Content;
        var root = Yaml.Root(content);

        // Assert
        root.Text("users", 0, "name").ShouldBe("ops: #admin");
        root.Items("users", 0, "ssh_authorized_keys").ShouldBe(["ssh-ed25519 AAAA key: with # hash", "- leading dash"]);
        root.Text("write_files", 0, "content").ShouldBe("true\n");
        root.Text("write_files", 1, "content").ShouldContain("\n" + command + "\n");
        root.Text("drover", "converge").ShouldBe(command);
        root.Text("drover", "flake").ShouldBe("true");
        CloudInitSchema.AssertValid(content);
    }

    [Fact]
    public void Empty_hostname_is_an_error()
    {
        Should.Throw<UserDataException>(() => UserDataRenderer.Render(new UserDataInput { Hostname = " " }))
            .Message.ShouldBe("the hostname is empty");
    }
}
