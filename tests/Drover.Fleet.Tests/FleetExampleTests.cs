using Drover.Fleet.Config;
using Shouldly;
using Xunit;

namespace Drover.Fleet.Tests;

public sealed class FleetExampleTests : IDisposable
{
    private readonly ConfigDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_example_loads_without_diagnostics_and_uses_only_system_images()
    {
        _dir.Write(FleetExample.FleetFileName, FleetExample.FleetYaml)
            .Write(FleetExample.WebTemplatePath, FleetExample.WebTemplate)
            .Write(FleetExample.IdentityFile + ".pub", ConfigDir.PublicKey + "\n");

        var fleet = FleetLoader.Load(_dir.FleetPath);

        fleet.Hosts.Select(h => (h.Name, h.Role, h.Image.ImageName, h.ServerType)).ShouldBe(
        [
            ("web1", "web", "debian-12", "cx23"),
            ("web2", "web", "debian-12", "cx23"),
            ("db1", "db", "ubuntu-24.04", "cx33"),
        ]);
        fleet.Hosts.ShouldAllBe(h => h.Image.Kind == ImageKind.Named);
        fleet.Defaults.IdentityFile.ShouldBe(FleetExample.IdentityFile);
        fleet.FindHost("web1")!.UserData.Templates.ShouldBe([FleetExample.WebTemplatePath]);
        FleetExample.FleetYaml.ShouldContain("selector: \"os=talos,role=worker\"");
    }

    [Fact]
    public void The_web_template_is_cloud_config_with_the_placeholders()
    {
        FleetExample.WebTemplate.ShouldStartWith("#cloud-config\n");
        FleetExample.WebTemplate.ShouldContain("${HOSTNAME}");
        FleetExample.WebTemplate.ShouldContain("${ADMIN_USER}");
        FleetExample.WebTemplate.ShouldContain("ssh_authorized_keys: ${SSH_AUTHORIZED_KEYS}");
    }
}
