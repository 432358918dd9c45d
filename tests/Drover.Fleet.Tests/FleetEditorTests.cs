using Drover.Fleet.Config;
using Shouldly;
using Xunit;

namespace Drover.Fleet.Tests;

public sealed class FleetEditorTests : IDisposable
{
    private readonly ConfigDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Edit(string text, string host, HostChanges changes) => FleetEditor.SetHost(text, _dir.FleetPath, host, changes);

    private const string Before = """
        # the fleet
        fleet: demo   # label value

        defaults:
          location: fsn1
          server_type: cx23

        hosts:
          # the web server
          web1:
            role: web
            image: debian-12     # system image
            labels:
              tier: front   # keep me

          db1:
            image_selector: 'os=debian'
            architecture: x86
            # converge: later

        # trailing comment
        """;

    [Fact]
    public void Pinning_an_image_replaces_the_value_in_place_and_keeps_everything_else()
    {
        var after = Edit(Before, "web1", new HostChanges { ImageId = 123456, ServerType = "cx33", Labels = new Dictionary<string, string?> { ["tier"] = "edge", ["zone"] = "a" } });

        after.ShouldBe("""
            # the fleet
            fleet: demo   # label value

            defaults:
              location: fsn1
              server_type: cx23

            hosts:
              # the web server
              web1:
                role: web
                image: 123456     # system image
                labels:
                  tier: edge   # keep me
                  zone: a
                server_type: cx33

              db1:
                image_selector: 'os=debian'
                architecture: x86
                # converge: later

            # trailing comment
            """);
    }

    [Fact]
    public void Pinning_a_selector_host_removes_selector_and_architecture()
    {
        var after = Edit(Before, "db1", new HostChanges { ImageId = 7, Role = "db" });

        after.ShouldEndWith("""
              db1:
                # converge: later
                image: 7
                role: db

            # trailing comment
            """);
    }

    [Fact]
    public void A_selector_keeps_the_quoting_style_and_replaces_image()
    {
        var db = Edit(Before, "db1", new HostChanges { ImageSelector = "os=debian,version=13", Architecture = "arm", ServerType = "cax11" });
        var web = Edit(Before, "web1", new HostChanges { ImageSelector = "os=talos" });

        db.ShouldContain("""
              db1:
                image_selector: 'os=debian,version=13'
                architecture: arm
                # converge: later
                server_type: cax11

            """);
        web.ShouldContain("""
              web1:
                role: web
                labels:
                  tier: front   # keep me
                image_selector: "os=talos"

            """);
    }

    [Fact]
    public void Removing_the_last_label_removes_the_labels_key()
    {
        var after = Edit(Before, "web1", new HostChanges { Labels = new Dictionary<string, string?> { ["tier"] = null } });

        after.ShouldContain("""
              web1:
                role: web
                image: debian-12     # system image

              db1:
            """);
    }

    [Fact]
    public void A_new_host_is_added_at_the_end_of_hosts_with_the_files_indentation()
    {
        var after = Edit(Before, "web2", new HostChanges { ImageId = 42, Role = "web", Labels = new Dictionary<string, string?> { ["tier"] = "front" } });

        after.ShouldEndWith("""
                architecture: x86
                # converge: later
              web2:
                image: 42
                role: web
                labels:
                  tier: front

            # trailing comment
            """);
        FleetLoader.Parse(after, _dir.FleetPath).FindHost("web2")!.Image.Id.ShouldBe(42);
    }

    [Fact]
    public void A_flow_style_host_is_rewritten_as_a_block()
    {
        const string text = "fleet: f\ndefaults: {location: fsn1, server_type: cx23}\nhosts:\n    a: {image: 1, labels: {x: y}}   # flow\n    b:\n        image: 2\n";

        var after = Edit(text, "a", new HostChanges { ImageId = 5, Labels = new Dictionary<string, string?> { ["z"] = "1", ["x"] = null } });

        after.ShouldBe("fleet: f\ndefaults: {location: fsn1, server_type: cx23}\nhosts:\n    a:\n        image: 5\n        labels: {z: \"1\"}   # flow\n    b:\n        image: 2\n");
    }

    [Fact]
    public void A_host_in_an_empty_hosts_mapping_and_crlf_line_ends()
    {
        var empty = Edit("fleet: f\ndefaults: {location: fsn1, server_type: cx23}\nhosts: {}\n", "a", new HostChanges { ImageId = 1 });
        var crlf = Edit("fleet: f\r\ndefaults: {location: fsn1, server_type: cx23}\r\nhosts:\r\n  a:\r\n    image: 1\r\n", "a", new HostChanges { Role = "x" });

        empty.ShouldBe("fleet: f\ndefaults: {location: fsn1, server_type: cx23}\nhosts:\n  a:\n    image: 1\n");
        crlf.ShouldBe("fleet: f\r\ndefaults: {location: fsn1, server_type: cx23}\r\nhosts:\r\n  a:\r\n    image: 1\r\n    role: x\r\n");
    }

    [Fact]
    public void An_edit_that_makes_the_file_invalid_is_refused()
    {
        var arch = Should.Throw<FleetConfigException>(() => Edit(Before, "web1", new HostChanges { Architecture = "arm" }));
        var label = Should.Throw<FleetConfigException>(() => Edit(Before, "web1", new HostChanges { Labels = new Dictionary<string, string?> { ["drover/x"] = "y" } }));

        arch.Diagnostics.ShouldContain(d => d.Field == "hosts.web1.architecture");
        label.Diagnostics.ShouldContain(d => d.Field == "hosts.web1.labels.drover/x");
        Should.Throw<ArgumentException>(() => Edit(Before, "new", new HostChanges { Role = "x" })).Message.ShouldContain("needs an image");
        Should.Throw<ArgumentException>(() => Edit(Before, "Bad_Name", new HostChanges { ImageId = 1 }));
    }

    [Fact]
    public void Values_that_yaml_would_read_as_other_types_are_quoted()
    {
        var after = Edit(Before, "web1", new HostChanges { Role = "true", Location = "123", Labels = new Dictionary<string, string?> { ["v"] = "1.5" } });
        var fleet = FleetLoader.Parse(after, _dir.FleetPath);

        after.ShouldContain("role: \"true\"");
        fleet.FindHost("web1")!.Location.ShouldBe("123");
        fleet.FindHost("web1")!.Labels["v"].ShouldBe("1.5");
    }
}
