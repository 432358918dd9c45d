using Drover.LocalCloud.Tests.OpenApi;
using Drover.LocalCloud.Tests.Support;
using Xunit;

namespace Drover.LocalCloud.Tests;

public sealed partial class OpenApiConformanceTests
{
    [Fact]
    public async Task Ssh_key_create_list_get_update_and_delete_match_the_spec()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        var spec = new SpecConformance(cloud);

        // Act
        var created = await spec.PostAsync("/ssh_keys", "ssh_keys", $$"""{"name": "k1", "public_key": "{{TestKeys.Ed25519(1)}}", "labels": {"team": "ops"} }""", Ct);
        var id = created.GetProperty("ssh_key").GetProperty("id").GetInt64();
        await spec.GetAsync("/ssh_keys", "ssh_keys", Ct);
        await spec.GetAsync("/ssh_keys", "ssh_keys?name=k1&label_selector=team", Ct);
        await spec.GetAsync("/ssh_keys/{id}", $"ssh_keys/{id}", Ct);
        await spec.PutAsync("/ssh_keys/{id}", $"ssh_keys/{id}", """{"name": "k2", "labels": {}}""", Ct);
        await spec.DeleteAsync("/ssh_keys/{id}", $"ssh_keys/{id}", Ct);

        // Assert
        spec.ShouldConform();
    }

    [Fact]
    public async Task Server_types_and_locations_match_the_spec()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        var spec = new SpecConformance(cloud);

        // Act
        await spec.GetAsync("/server_types", "server_types?per_page=50", Ct);
        await spec.GetAsync("/server_types", "server_types?name=cax11", Ct);
        await spec.GetAsync("/server_types/{id}", "server_types/1", Ct);
        await spec.GetAsync("/locations", "locations", Ct);
        await spec.GetAsync("/locations/{id}", "locations/1", Ct);
        await spec.GetAsync("/datacenters", "datacenters", Ct);

        // Assert
        spec.ShouldConform();
    }

    [Fact]
    public async Task Network_create_list_get_update_and_delete_match_the_spec()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        var spec = new SpecConformance(cloud);

        // Act
        var created = await spec.PostAsync("/networks", "networks",
            """{"name": "net", "ip_range": "10.0.0.0/16", "subnets": [{"type": "cloud", "ip_range": "10.0.1.0/24", "network_zone": "eu-central"}], "routes": [{"destination": "10.100.1.0/24", "gateway": "10.0.1.1"}], "labels": {"env": "test"}}""", Ct);
        var id = created.GetProperty("network").GetProperty("id").GetInt64();
        await spec.GetAsync("/networks", "networks", Ct);
        await spec.GetAsync("/networks/{id}", $"networks/{id}", Ct);
        await spec.PutAsync("/networks/{id}", $"networks/{id}", """{"name": "net-2"}""", Ct);
        await spec.PostAsync("/networks/{id}/actions/add_subnet", $"networks/{id}/actions/add_subnet", """{"type": "cloud", "ip_range": "10.0.2.0/24", "network_zone": "eu-central"}""", Ct);
        await spec.DeleteAsync("/networks/{id}", $"networks/{id}", Ct);

        // Assert
        spec.ShouldConform();
    }

    [Fact]
    public async Task Firewall_create_list_get_update_apply_and_delete_match_the_spec()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        var spec = new SpecConformance(cloud);
        var server = await cloud.CreateRunningServerAsync("web-1", Ct, labels: """{"role": "web"}""");

        // Act
        var created = await spec.PostAsync("/firewalls", "firewalls",
            """{"name": "fw", "labels": {"env": "test"}, "rules": [{"direction": "in", "protocol": "tcp", "port": "22", "source_ips": ["0.0.0.0/0", "::/0"]}, {"direction": "out", "protocol": "icmp", "destination_ips": ["0.0.0.0/0"]}]}""", Ct);
        var id = created.GetProperty("firewall").GetProperty("id").GetInt64();
        await spec.GetAsync("/firewalls", "firewalls", Ct);
        await spec.PutAsync("/firewalls/{id}", $"firewalls/{id}", """{"name": "fw-2"}""", Ct);
        await spec.PostAsync("/firewalls/{id}/actions/apply_to_resources", $"firewalls/{id}/actions/apply_to_resources",
            $$"""{"apply_to": [{"type": "server", "server": {"id": {{server}} } }, {"type": "label_selector", "label_selector": {"selector": "role=web"} }]}""", Ct);
        await spec.GetAsync("/firewalls/{id}", $"firewalls/{id}", Ct);
        await spec.GetAsync("/servers/{id}", $"servers/{server}", Ct);
        await spec.PostAsync("/firewalls/{id}/actions/set_rules", $"firewalls/{id}/actions/set_rules",
            """{"rules": [{"direction": "in", "protocol": "udp", "port": "53", "source_ips": ["10.0.0.0/8"], "description": "dns"}]}""", Ct);
        await spec.PostAsync("/firewalls/{id}/actions/remove_from_resources", $"firewalls/{id}/actions/remove_from_resources",
            $$"""{"remove_from": [{"type": "server", "server": {"id": {{server}} } }, {"type": "label_selector", "label_selector": {"selector": "role=web"} }]}""", Ct);
        await spec.DeleteAsync("/firewalls/{id}", $"firewalls/{id}", Ct);

        // Assert
        spec.ShouldConform();
    }

    [Fact]
    public async Task Volume_create_list_get_update_attach_and_delete_match_the_spec()
    {
        // Arrange
        await using var cloud = await CloudHarness.StartAsync();
        var spec = new SpecConformance(cloud);
        var server = await cloud.CreateRunningServerAsync("web-1", Ct);

        // Act
        var created = await spec.PostAsync("/volumes", "volumes", """{"name": "data", "size": 10, "location": "fsn1", "format": "ext4", "labels": {"env": "test"}}""", Ct);
        var id = created.GetProperty("volume").GetProperty("id").GetInt64();
        await spec.PostAsync("/volumes", "volumes", $$"""{"name": "attached", "size": 20, "server": {{server}}, "automount": false}""", Ct);
        await spec.GetAsync("/volumes", "volumes", Ct);
        await spec.GetAsync("/volumes/{id}", $"volumes/{id}", Ct);
        await spec.PutAsync("/volumes/{id}", $"volumes/{id}", """{"name": "data-2"}""", Ct);
        await spec.PostAsync("/volumes/{id}/actions/attach", $"volumes/{id}/actions/attach", $$"""{"server": {{server}}}""", Ct);
        await spec.GetAsync("/servers/{id}", $"servers/{server}", Ct);
        await spec.PostAsync("/volumes/{id}/actions/detach", $"volumes/{id}/actions/detach", null, Ct);
        await spec.DeleteAsync("/volumes/{id}", $"volumes/{id}", Ct);

        // Assert
        spec.ShouldConform();
    }
}
