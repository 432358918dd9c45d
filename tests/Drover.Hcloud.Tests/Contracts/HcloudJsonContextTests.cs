using System.Text.Json;
using System.Text.Json.Nodes;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Tests.Fixtures;
using Shouldly;
using Xunit;
using static Drover.Hcloud.Contracts.HcloudJsonContext;

namespace Drover.Hcloud.Tests.Contracts;

/// <summary>The wire contracts against raw JSON shaped like the API documentation (hcloud-go's schema_test.go).</summary>
public sealed class HcloudJsonContextTests
{
    private static readonly DateTimeOffset _created = new(2016, 1, 30, 23, 55, 0, TimeSpan.Zero);

    [Fact]
    public void Server_fixture_deserializes_every_documented_field()
    {
        // Arrange
        var json = $$"""{"server": {{ApiFixtures.Server}}}""";

        // Act
        var server = JsonSerializer.Deserialize(json, Default.ServerResponse)!.Server;

        // Assert
        server.Id.ShouldBe(42);
        server.Name.ShouldBe("my-resource");
        server.Status.ShouldBe(ServerStatus.Running);
        server.Created.ShouldBe(_created);
        server.PublicNet.Ipv4!.Ip.ShouldBe("1.2.3.4");
        server.PublicNet.Ipv4.DnsPtr.ShouldBe("server01.example.com");
        server.PublicNet.Ipv6!.Ip.ShouldBe("2001:db8::/64");
        server.PublicNet.Ipv6.DnsPtr!.Single().DnsPtr.ShouldBe("server.example.com");
        server.PublicNet.FloatingIps.ShouldBe([478L]);
        server.PublicNet.Firewalls.Single().ShouldBe(new ServerFirewall { Id = 42, Status = "applied" });
        var privateNet = server.PrivateNet.Single();
        privateNet.Network.ShouldBe(4711);
        privateNet.AliasIps.ShouldBe(["10.0.0.3", "10.0.0.4"]);
        privateNet.MacAddress.ShouldBe("86:00:ff:2a:7d:e1");
        server.ServerType.Name.ShouldBe("cpx22");
        server.Datacenter.Name.ShouldBe("fsn1-dc8");
        server.Datacenter.Location.Name.ShouldBe("fsn1");
        server.Datacenter.ServerTypes.AvailableForMigration.ShouldBe([1L, 2L, 3L]);
        server.Location.NetworkZone.ShouldBe("eu-central");
        server.Image!.Name.ShouldBe("ubuntu-24.04");
        server.Iso!.Name.ShouldBe("FreeBSD-11.0-RELEASE-amd64-dvd1");
        server.Iso.Architecture.ShouldBe(Architecture.X86);
        server.Iso.Deprecation!.UnavailableAfter.ShouldBe(new DateTimeOffset(2023, 9, 1, 0, 0, 0, TimeSpan.Zero));
        server.RescueEnabled.ShouldBeFalse();
        server.Locked.ShouldBeFalse();
        server.BackupWindow.ShouldBe("22-02");
        server.OutgoingTraffic.ShouldBe(123456);
        server.IngoingTraffic.ShouldBe(123456);
        server.IncludedTraffic.ShouldBe(654321);
        server.Protection.ShouldBe(new ServerProtection { Delete = false, Rebuild = false });
        server.Labels.ShouldBe(new Dictionary<string, string> { ["environment"] = "prod", ["example.com/my"] = "label", ["just-a-key"] = "" }, ignoreOrder: true);
        server.Volumes.ShouldBe([0L]);
        server.LoadBalancers.ShouldBe([0L]);
        server.PrimaryDiskSize.ShouldBe(50);
        server.PlacementGroup!.Type.ShouldBe("spread");
        server.PlacementGroup.Servers.ShouldBe([42L]);
    }

    [Fact]
    public void Image_fixture_deserializes_every_documented_field()
    {
        // Arrange
        var json = $$"""{"image": {{ApiFixtures.Image}}}""";

        // Act
        var image = JsonSerializer.Deserialize(json, Default.ImageResponse)!.Image;

        // Assert
        image.Id.ShouldBe(42);
        image.Type.ShouldBe(ImageType.Snapshot);
        image.Status.ShouldBe(ImageStatus.Available);
        image.Name.ShouldBe("ubuntu-24.04");
        image.Description.ShouldBe("Ubuntu 24.04 Standard 64 bit");
        image.ImageSize.ShouldBe(2.3);
        image.DiskSize.ShouldBe(10);
        image.Created.ShouldBe(_created);
        image.CreatedFrom.ShouldBe(new ImageCreatedFrom { Id = 1, Name = "Server" });
        image.BoundTo.ShouldBeNull();
        image.OsFlavor.ShouldBe("ubuntu");
        image.OsVersion.ShouldBe("24.04");
        image.RapidDeploy.ShouldBeFalse();
        image.Protection.Delete.ShouldBeFalse();
        image.Deprecated.ShouldBe(new DateTimeOffset(2018, 2, 28, 0, 0, 0, TimeSpan.Zero));
        image.Deleted.ShouldBeNull();
        image.Labels["example.com/my"].ShouldBe("label");
        image.Architecture.ShouldBe(Architecture.X86);
    }

    [Fact]
    public void Snapshot_without_name_and_with_offset_timestamp_deserializes()
    {
        // Arrange
        var json = $$"""{"image": {{ApiFixtures.Snapshot}}}""";

        // Act
        var image = JsonSerializer.Deserialize(json, Default.ImageResponse)!.Image;

        // Assert
        image.Name.ShouldBeNull();
        image.Description.ShouldBe("drover-base-2026-01-01");
        image.Status.ShouldBe(ImageStatus.Creating);
        image.ImageSize.ShouldBeNull();
        image.OsVersion.ShouldBeNull();
        image.Deprecated.ShouldBeNull();
        image.Protection.Delete.ShouldBeTrue();
        image.Labels.ShouldBeEmpty();
        image.Architecture.ShouldBe(Architecture.Arm);
        image.Created.ShouldBe(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void Action_fixture_deserializes_every_documented_field()
    {
        // Arrange
        var json = $$"""{"action": {{ApiFixtures.Action}}}""";

        // Act
        var action = JsonSerializer.Deserialize(json, Default.ActionResponse)!.Action;

        // Assert
        action.Id.ShouldBe(42);
        action.Command.ShouldBe("start_resource");
        action.Status.ShouldBe(ActionStatus.Running);
        action.Started.ShouldBe(_created);
        action.Finished.ShouldBe(_created);
        action.Progress.ShouldBe(100);
        action.Resources.Single().ShouldBe(new ActionResource { Id = 42, Type = "server" });
        action.Error.ShouldBe(new ActionError { Code = "action_failed", Message = "Action failed" });
    }

    [Fact]
    public void Running_action_has_null_finished_and_error()
    {
        // Arrange
        var json = $$"""{"action": {{ApiFixtures.ActionWith(7, "running")}}}""";

        // Act
        var action = JsonSerializer.Deserialize(json, Default.ActionResponse)!.Action;

        // Assert
        action.Finished.ShouldBeNull();
        action.Error.ShouldBeNull();
    }

    [Fact]
    public void SshKey_fixture_deserializes_every_documented_field()
    {
        // Arrange
        var json = $$"""{"ssh_key": {{ApiFixtures.SshKey}}}""";

        // Act
        var key = JsonSerializer.Deserialize(json, Default.SshKeyResponse)!.SshKey;

        // Assert
        key.Id.ShouldBe(42);
        key.Name.ShouldBe("my-resource");
        key.Fingerprint.ShouldBe("b7:2f:30:a0:2f:6c:58:6c:21:04:58:61:ba:06:3b:2f");
        key.PublicKey.ShouldBe("ssh-rsa AAAjjk76kgf...Xt");
        key.Labels["just-a-key"].ShouldBe("");
        key.Created.ShouldBe(_created);
    }

    [Fact]
    public void ServerType_fixture_deserializes_every_documented_field()
    {
        // Arrange
        var json = $$"""{"server_type": {{ApiFixtures.ServerType}}}""";

        // Act
        var type = JsonSerializer.Deserialize(json, Default.ServerTypeResponse)!.ServerType;

        // Assert
        type.Id.ShouldBe(1);
        type.Name.ShouldBe("cpx22");
        type.Description.ShouldBe("CPX22");
        type.Cores.ShouldBe(2);
        type.Memory.ShouldBe(4);
        type.Disk.ShouldBe(80);
        type.Deprecated.ShouldBeFalse();
        type.StorageType.ShouldBe("local");
        type.CpuType.ShouldBe("shared");
        type.Category.ShouldBe("Shared vCPU");
        type.Architecture.ShouldBe(Architecture.X86);
        type.Deprecation!.Announced.ShouldBe(new DateTimeOffset(2023, 6, 1, 0, 0, 0, TimeSpan.Zero));
        var price = type.Prices.Single();
        price.Location.ShouldBe("fsn1");
        price.PriceHourly.ShouldBe(new Price { Net = "1.0000", Gross = "1.1900" });
        price.PriceMonthly.Gross.ShouldBe("1.1900");
        price.IncludedTraffic.ShouldBe(654321);
        price.PricePerTbTraffic.Net.ShouldBe("1.0000");
        var location = type.Locations.Single();
        location.Id.ShouldBe(42);
        location.Name.ShouldBe("fsn1");
        location.Deprecation.ShouldNotBeNull();
    }

    [Fact]
    public void Location_fixture_deserializes_every_documented_field()
    {
        // Arrange
        var json = $$"""{"location": {{ApiFixtures.Location}}}""";

        // Act
        var location = JsonSerializer.Deserialize(json, Default.LocationResponse)!.Location;

        // Assert
        location.ShouldBe(new Location
        {
            Id = 42,
            Name = "fsn1",
            Description = "Falkenstein DC Park 1",
            Country = "DE",
            City = "Falkenstein",
            Latitude = 50.47612,
            Longitude = 12.370071,
            NetworkZone = "eu-central",
        });
    }

    [Fact]
    public void Network_fixture_deserializes_every_documented_field()
    {
        // Arrange
        var json = $$"""{"network": {{ApiFixtures.Network}}}""";

        // Act
        var network = JsonSerializer.Deserialize(json, Default.NetworkResponse)!.Network;

        // Assert
        network.Id.ShouldBe(4711);
        network.Name.ShouldBe("mynet");
        network.IpRange.ShouldBe("10.0.0.0/16");
        network.Subnets.Single().ShouldBe(new Subnet { Type = "cloud", IpRange = "10.0.1.0/24", NetworkZone = "eu-central", Gateway = "10.0.0.1", VswitchId = 1000 });
        network.Routes.Single().ShouldBe(new Route { Destination = "10.100.1.0/24", Gateway = "10.0.1.1" });
        network.Servers.ShouldBe([42L]);
        network.LoadBalancers.ShouldBe([42L]);
        network.Protection.Delete.ShouldBeFalse();
        network.Labels.Count.ShouldBe(3);
        network.Created.ShouldBe(_created);
        network.ExposeRoutesToVswitch.ShouldBeFalse();
    }

    [Fact]
    public void Firewall_fixture_deserializes_every_documented_field()
    {
        // Arrange
        var json = $$"""{"firewall": {{ApiFixtures.Firewall}}}""";

        // Act
        var firewall = JsonSerializer.Deserialize(json, Default.FirewallResponse)!.Firewall;

        // Assert
        firewall.Id.ShouldBe(42);
        firewall.Name.ShouldBe("new-name");
        firewall.Created.ShouldBe(_created);
        var rule = firewall.Rules.Single();
        rule.Description.ShouldBeNull();
        rule.Direction.ShouldBe("in");
        rule.SourceIps.Count.ShouldBe(3);
        rule.DestinationIps.ShouldBeEmpty();
        rule.Protocol.ShouldBe("tcp");
        rule.Port.ShouldBe("80");
        var applied = firewall.AppliedTo.Single();
        applied.Type.ShouldBe("server");
        applied.Server!.Id.ShouldBe(42);
        applied.LabelSelector!.Selector.ShouldBe("env=prod");
        applied.AppliedToResources!.Single().Server!.Id.ShouldBe(42);
    }

    [Fact]
    public void Volume_fixture_deserializes_every_documented_field()
    {
        // Arrange
        var json = $$"""{"volume": {{ApiFixtures.Volume}}}""";

        // Act
        var volume = JsonSerializer.Deserialize(json, Default.VolumeResponse)!.Volume;

        // Assert
        volume.Id.ShouldBe(42);
        volume.Created.ShouldBe(_created);
        volume.Name.ShouldBe("my-resource");
        volume.Server.ShouldBe(12);
        volume.Location.Name.ShouldBe("fsn1");
        volume.Size.ShouldBe(42);
        volume.LinuxDevice.ShouldBe("/dev/disk/by-id/scsi-0HC_Volume_4711");
        volume.Protection.Delete.ShouldBeFalse();
        volume.Labels["environment"].ShouldBe("prod");
        volume.Status.ShouldBe("available");
        volume.Format.ShouldBe("xfs");
    }

    [Fact]
    public void Error_envelope_deserializes_code_message_and_field_details()
    {
        // Act
        var error = JsonSerializer.Deserialize(ApiFixtures.InvalidInputError, Default.ErrorResponse)!.Error;

        // Assert
        error.Code.ShouldBe(ErrorCode.InvalidInput);
        error.Message.ShouldBe("invalid input in field 'broken_field': is too long");
        var field = error.Details!.Fields!.Single();
        field.Name.ShouldBe("broken_field");
        field.Messages.ShouldBe(["is too long"]);
    }

    [Fact]
    public void Error_envelope_reads_limits_and_announcement_details()
    {
        // Arrange
        const string json = """
            {"error": {"code": "resource_limit_exceeded", "message": "limit reached",
              "details": {"limits": [{"name": "project_limits.server"}], "announcement": "https://docs.hetzner.cloud/changelog"}}}
            """;

        // Act
        var error = JsonSerializer.Deserialize(json, Default.ErrorResponse)!.Error;

        // Assert
        error.Details!.Limits!.Single().Name.ShouldBe("project_limits.server");
        error.Details.Announcement.ShouldBe("https://docs.hetzner.cloud/changelog");
    }

    [Fact]
    public void Pagination_meta_deserializes_and_keeps_nullable_fields()
    {
        // Arrange
        var json = $$"""{"servers": [], "meta": {{ApiFixtures.Meta}}}""";
        const string lastPage = """{"servers": [], "meta": {"pagination": {"page": 1, "per_page": 25, "previous_page": null, "next_page": null, "last_page": null, "total_entries": null}}}""";

        // Act
        var meta = JsonSerializer.Deserialize(json, Default.ServersResponse)!.Meta.Pagination;
        var last = JsonSerializer.Deserialize(lastPage, Default.ServersResponse)!.Meta.Pagination;

        // Assert
        meta.ShouldBe(new Pagination { Page = 3, PerPage = 25, PreviousPage = 2, NextPage = 4, LastPage = 4, TotalEntries = 100 });
        last.ShouldBe(new Pagination { Page = 1, PerPage = 25 });
    }

    [Fact]
    public void Create_server_result_reads_next_actions_and_null_root_password()
    {
        // Arrange
        var json = $$"""
            {"server": {{ApiFixtures.Server}}, "action": {{ApiFixtures.ActionWith(1, "running")}},
             "next_actions": [{{ApiFixtures.ActionWith(2, "running", command: "start_server")}}], "root_password": null}
            """;

        // Act
        var result = JsonSerializer.Deserialize(json, Default.CreateServerResult)!;

        // Assert
        result.Action.Id.ShouldBe(1);
        result.NextActions.Single().Command.ShouldBe("start_server");
        result.RootPassword.ShouldBeNull();
    }

    [Fact]
    public void Serialized_server_keeps_required_nullable_fields_as_null()
    {
        // Arrange
        var server = JsonSerializer.Deserialize($$"""{"server": {{ApiFixtures.Server}}}""", Default.ServerResponse)!.Server with
        {
            Image = null,
            Iso = null,
            BackupWindow = null,
            OutgoingTraffic = null,
            IngoingTraffic = null,
            IncludedTraffic = null,
            PlacementGroup = null,
            PublicNet = new ServerPublicNet { Ipv4 = null, Ipv6 = null },
        };

        // Act
        var json = JsonNode.Parse(JsonSerializer.Serialize(new ServerResponse { Server = server }, Default.ServerResponse))!["server"]!.AsObject();

        // Assert
        foreach (var field in new[] { "image", "iso", "backup_window", "outgoing_traffic", "ingoing_traffic", "included_traffic", "placement_group" })
        {
            json.ContainsKey(field).ShouldBeTrue($"'{field}' must be present");
            json[field].ShouldBeNull($"'{field}' must be null");
        }
        var publicNet = json["public_net"]!.AsObject();
        publicNet.ContainsKey("ipv4").ShouldBeTrue();
        publicNet["ipv4"].ShouldBeNull();
        publicNet.ContainsKey("ipv6").ShouldBeTrue();
        publicNet["ipv6"].ShouldBeNull();
        json["rescue_enabled"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Fact]
    public void Server_round_trips_through_serialization_unchanged()
    {
        // Arrange
        var original = JsonSerializer.Deserialize($$"""{"server": {{ApiFixtures.Server}}}""", Default.ServerResponse)!;

        // Act
        var json = JsonSerializer.Serialize(original, Default.ServerResponse);
        var again = JsonSerializer.Deserialize(json, Default.ServerResponse)!;

        // Assert
        JsonSerializer.Serialize(again, Default.ServerResponse).ShouldBe(json);
        again.Server.Image!.Labels.Count.ShouldBe(3);
        json.ShouldContain("\"primary_disk_size\":50");
    }

    [Fact]
    public void Snapshot_serializes_null_name_and_absent_optional_request_fields_are_omitted()
    {
        // Arrange
        var image = JsonSerializer.Deserialize($$"""{"image": {{ApiFixtures.Snapshot}}}""", Default.ImageResponse)!;
        var update = new UpdateImageRequest { Description = "renamed" };

        // Act
        var imageJson = JsonNode.Parse(JsonSerializer.Serialize(image, Default.ImageResponse))!["image"]!.AsObject();
        var updateJson = JsonSerializer.Serialize(update, Default.UpdateImageRequest);

        // Assert
        imageJson.ContainsKey("name").ShouldBeTrue();
        imageJson["name"].ShouldBeNull();
        imageJson.ContainsKey("bound_to").ShouldBeTrue();
        updateJson.ShouldBe("""{"description":"renamed"}""");
    }
}
