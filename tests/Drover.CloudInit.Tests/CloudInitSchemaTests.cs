using Shouldly;
using Xunit;

namespace Drover.CloudInit.Tests;

public class CloudInitSchemaTests
{
    [Fact]
    public void The_schema_check_rejects_an_invalid_config()
    {
        // Act
        var (exitCode, output) = CloudInitSchema.Check("#cloud-config\nusers: 5\n");

        // Assert
        exitCode.ShouldNotBe(0);
        output.ShouldContain("users: 5 is not of type");
        Should.Throw<Exception>(() => CloudInitSchema.AssertValid("#cloud-config\nusers: 5\n"));
    }

    [Fact]
    public void The_schema_check_accepts_a_valid_config()
    {
        CloudInitSchema.Check("#cloud-config\nhostname: web1\n").ExitCode.ShouldBe(0);
    }

    public static TheoryData<string, string> TemplateExamples => new()
    {
        { "nixos-host.yaml", "full input" },
        { "nixos-host.yaml", "no network" },
        { "static-network.yaml", "full input" },
        { "packages.yaml", "full input" },
    };

    [Theory]
    [MemberData(nameof(TemplateExamples))]
    public void Every_rendered_example_template_passes_cloud_init_schema(string file, string variant)
    {
        // Arrange
        var input = Examples.Full(Examples.Template(file));
        if (variant == "no network")
        {
            input = input with { Network = null };
        }

        // Act
        var data = UserDataRenderer.Render(input);

        // Assert
        CloudInitSchema.AssertValid(data.Content, $"{file} ({variant})");
    }

    [Fact]
    public void The_nixos_example_renders_as_expected()
    {
        // Act
        var root = Yaml.Root(UserDataRenderer.Render(Examples.Full(Examples.Template("nixos-host.yaml"))).Content);

        // Assert
        root.Text("fqdn").ShouldBe("web1.fleet.example");
        root.Text("users", 0, "name").ShouldBe("ops");
        root.Items("users", 0, "ssh_authorized_keys").ShouldBe([Examples.AdminKey, Examples.CiKey]);
        root.Text("write_files", 0, "content").ShouldBe("git+https://git.example/fleet#web1");
        root.Text("write_files", 2, "content").ShouldContain("echo \"converging ${HOSTNAME:-unknown} to $target\"");
        root.Text("final_message").ShouldBe("web1 is up after $UPTIME seconds; converging to git+https://git.example/fleet#web1.\n");
    }

    [Fact]
    public void Commented_network_block_is_filled_in_when_there_is_a_network()
    {
        var content = UserDataRenderer.Render(Examples.Full(Examples.Template("nixos-host.yaml"))).Content;

        content.ShouldContain("#     ens18:\n#       addresses: [10.0.1.10/24]\n#       nameservers:\n#         addresses: 10.0.1.2, 1.1.1.1\n");
    }
}
