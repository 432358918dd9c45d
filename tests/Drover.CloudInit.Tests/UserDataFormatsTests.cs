using Shouldly;
using Xunit;

namespace Drover.CloudInit.Tests;

public class UserDataFormatsTests
{
    public static TheoryData<string> Contents => new()
    {
        UserDataRenderer.Render(Examples.Full()).Content,
        UserDataRenderer.Render(Examples.Full(Examples.Template("nixos-host.yaml"), Examples.Template("hello.sh"))).Content,
        "#!/bin/sh\necho 'trailing spaces'   \n\n  indented first? \n",
        "#cloud-config\nno_final_newline: true",
    };

    [Theory]
    [MemberData(nameof(Contents))]
    public void ConfigMap_holds_the_user_data(string content)
    {
        // Arrange
        var data = new RenderedUserData(content, []);

        // Act
        var root = Yaml.Root(UserDataFormats.ToConfigMap("web1", data, "fleet"));

        // Assert
        root.Text("apiVersion").ShouldBe("v1");
        root.Text("kind").ShouldBe("ConfigMap");
        root.Text("metadata", "name").ShouldBe("web1-userdata");
        root.Text("metadata", "namespace").ShouldBe("fleet");
        root.Text("metadata", "labels", "drover.example/hostname").ShouldBe("web1");
        root.Text("data", "userdata").ShouldBe(content);
    }

    [Fact]
    public void ConfigMap_without_namespace_leaves_it_out_and_uses_a_literal_block()
    {
        var data = UserDataRenderer.Render(Examples.Full());

        var yaml = UserDataFormats.ToConfigMap("web1", data);

        Yaml.Root(yaml).At("metadata").Has("namespace").ShouldBeFalse();
        yaml.ShouldContain("data:\n  userdata: |\n    #cloud-config\n    hostname: web1\n");
    }

    [Fact]
    public void NoCloud_seed_has_user_data_meta_data_and_network_config()
    {
        // Arrange
        var input = Examples.Full();
        var data = UserDataRenderer.Render(input);

        // Act
        var files = UserDataFormats.ToNoCloudSeed(input, data, "i-web1-0001");

        // Assert
        files.Keys.Order().ShouldBe(["meta-data", "network-config", "user-data"]);
        files["user-data"].ShouldBe(data.Content);
        var meta = Yaml.Root(files["meta-data"]);
        meta.Text("instance-id").ShouldBe("i-web1-0001");
        meta.Text("local-hostname").ShouldBe("web1");
        var network = Yaml.Root(files["network-config"]);
        network.Text("version").ShouldBe("2");
        var ethernet = network.At("ethernets", "ens18");
        ethernet.Items("addresses").ShouldBe(["10.0.1.10/24"]);
        ethernet.Text("routes", 0, "to").ShouldBe("0.0.0.0/0");
        ethernet.Text("routes", 0, "via").ShouldBe("10.0.1.1");
        ethernet.Items("nameservers", "addresses").ShouldBe(["10.0.1.2", "1.1.1.1"]);
        CloudInitSchema.AssertValid(files["user-data"], "nocloud user-data");
    }

    [Fact]
    public void NoCloud_seed_without_network_has_no_network_config()
    {
        var input = new UserDataInput { Hostname = "web1" };

        var files = UserDataFormats.ToNoCloudSeed(input, UserDataRenderer.Render(input), "i-1");

        files.Keys.Order().ShouldBe(["meta-data", "user-data"]);
    }

    [Fact]
    public void WriteNoCloudSeed_writes_the_files()
    {
        // Arrange
        var directory = Path.Combine(Path.GetTempPath(), $"drover-seed-{Guid.NewGuid():N}");
        var input = Examples.Full();
        var data = UserDataRenderer.Render(input);
        try
        {
            // Act
            UserDataFormats.WriteNoCloudSeed(directory, input, data, "i-1");

            // Assert
            Directory.GetFiles(directory).Select(Path.GetFileName).Order().ShouldBe(["meta-data", "network-config", "user-data"]);
            File.ReadAllText(Path.Combine(directory, "user-data")).ShouldBe(data.Content);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
