using System.Text.Json;
using Shouldly;
using Xunit;

namespace Drover.Cli.Tests;

/// <summary>init, schema and host list/show/set: the fleet file only, no cloud.</summary>
public sealed class FleetConfigCliTests : IDisposable
{
    private readonly CliRunner _cli = new();
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("drover-fleet-cli-");

    private string Config => Path.Combine(_dir.FullName, "drover.yaml");

    public void Dispose()
    {
        _cli.Dispose();
        _dir.Delete(recursive: true);
    }

    [Fact]
    public async Task Init_writes_a_loadable_fleet_and_refuses_a_second_time()
    {
        var first = await _cli.RunAsync("init", "--dir", _dir.FullName);
        var second = await _cli.RunAsync("init", "--dir", _dir.FullName);
        var list = await _cli.RunAsync("host", "list", "--config", Config);

        first.ExitCode.ShouldBe(0, first.ToString());
        File.Exists(Path.Combine(_dir.FullName, "cloud-init", "web.yaml")).ShouldBeTrue();
        File.ReadAllText(Path.Combine(_dir.FullName, ".drover", "id_ed25519.pub")).ShouldStartWith("ssh-ed25519 ");
        File.GetUnixFileMode(Path.Combine(_dir.FullName, ".drover", "id_ed25519")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        second.ExitCode.ShouldBe(1, second.ToString());
        second.Stderr.ShouldContain("already exists; use --force");
        list.ExitCode.ShouldBe(0, list.ToString());
        list.Stdout.ShouldContain("web1");
        list.Stdout.ShouldContain("db1");
        list.Stdout.ShouldContain("ubuntu-24.04");
        (await _cli.RunAsync("init", "--dir", _dir.FullName, "--force")).ExitCode.ShouldBe(0);
    }

    [Fact]
    public async Task Host_list_json_gives_the_effective_settings()
    {
        await WriteFleetAsync();

        var result = await _cli.RunAsync("host", "list", "-o", "json", "--config", Config);

        result.ExitCode.ShouldBe(0, result.ToString());
        var hosts = JsonDocument.Parse(result.Stdout).RootElement.EnumerateArray().ToList();
        hosts.Select(h => h.GetProperty("name").GetString()).ShouldBe(["web1", "w1"]);
        var web1 = hosts[0];
        web1.GetProperty("role").GetString().ShouldBe("web");
        web1.GetProperty("image").GetProperty("kind").GetString().ShouldBe("named");
        web1.GetProperty("image").GetProperty("name").GetString().ShouldBe("debian-12");
        web1.GetProperty("image").GetProperty("ref").GetString().ShouldBe("debian");
        web1.GetProperty("server_type").GetString().ShouldBe("cx23");
        web1.GetProperty("location").GetString().ShouldBe("fsn1");
        web1.GetProperty("labels").GetProperty("env").GetString().ShouldBe("dev");
        hosts[1].GetProperty("image").GetProperty("selector").GetString().ShouldBe("os=talos");
        hosts[1].GetProperty("image").GetProperty("architecture").GetString().ShouldBe("arm");
    }

    [Fact]
    public async Task Host_set_then_show_reflects_the_change_and_comments_survive()
    {
        await WriteFleetAsync();
        File.SetUnixFileMode(Config, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        var set = await _cli.RunAsync("host", "set", "web1", "--image", "4242", "--server-type", "cx33", "--label", "tier=edge", "--label", "old-", "--config", Config);
        var show = await _cli.RunAsync("host", "show", "web1", "--config", Config);
        var json = await _cli.RunAsync("host", "show", "web1", "-o", "json", "--config", Config);

        set.ExitCode.ShouldBe(0, set.ToString());
        show.ExitCode.ShouldBe(0, show.ToString());
        show.Stdout.ShouldContain("Image:         4242");
        show.Stdout.ShouldContain("Server type:   cx33");
        show.Stdout.ShouldContain("tier=edge");
        show.Stdout.ShouldNotContain("old=");
        var text = await File.ReadAllTextAsync(Config, TestContext.Current.CancellationToken);
        text.ShouldContain("# the web server");
        text.ShouldContain("image: 4242   # pinned by CI");
        text.ShouldContain("# trailing comment");
        File.GetUnixFileMode(Config).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        Directory.GetFiles(_dir.FullName, "*.tmp").ShouldBeEmpty();
        JsonDocument.Parse(json.Stdout).RootElement.GetProperty("image").GetProperty("id").GetInt64().ShouldBe(4242);
    }

    [Fact]
    public async Task Host_set_refuses_an_edit_that_breaks_the_file_and_leaves_it_alone()
    {
        await WriteFleetAsync();
        var before = await File.ReadAllTextAsync(Config, TestContext.Current.CancellationToken);

        var result = await _cli.RunAsync("host", "set", "web1", "--server-type", "cax11", "--config", Config);
        var usage = await _cli.RunAsync("host", "set", "web9", "--role", "x", "--config", Config);

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldContain("hosts.web1.image: image 'debian' is for x86 but server type 'cax11' is arm");
        (await File.ReadAllTextAsync(Config, TestContext.Current.CancellationToken)).ShouldBe(before);
        usage.ExitCode.ShouldBe(2, usage.ToString());
        usage.Stderr.ShouldContain("--image");
    }

    [Fact]
    public async Task A_typo_exits_1_with_file_line_column_and_field()
    {
        await File.WriteAllTextAsync(Config, "fleet: f\ndefaults: {location: fsn1, server_type: cx23}\nhosts:\n  web1:\n    image: debian-12\n    server_tpye: cx23\n", TestContext.Current.CancellationToken);

        var result = await _cli.RunAsync("host", "list", "--config", Config);

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldContain($"error: {Config}:6:5: hosts.web1.server_tpye: unknown key (did you mean 'server_type'?)");
        result.Stdout.ShouldBeEmpty();
    }

    [Fact]
    public async Task Show_of_an_unknown_host_lists_the_known_ones_and_schema_prints_json()
    {
        await WriteFleetAsync();

        var show = await _cli.RunAsync("host", "show", "nope", "--config", Config);
        var schema = await _cli.RunAsync("schema");
        var missing = await _cli.RunAsync("host", "list", "--config", Path.Combine(_dir.FullName, "none.yaml"));

        show.ExitCode.ShouldBe(1);
        show.Stderr.ShouldContain($"{Config} has no host 'nope' (known hosts: web1, w1)");
        schema.ExitCode.ShouldBe(0);
        JsonDocument.Parse(schema.Stdout).RootElement.GetProperty("$schema").GetString().ShouldBe("https://json-schema.org/draft/2020-12/schema");
        missing.ExitCode.ShouldBe(1);
        missing.Stderr.ShouldContain("drover init");
    }

    private Task WriteFleetAsync() => File.WriteAllTextAsync(Config, """
        # test fleet
        fleet: test
        defaults:
          location: fsn1
          server_type: cx23
          labels: {env: dev}
        images:
          debian: {name: debian-12, architecture: x86}
        hosts:
          # the web server
          web1:
            role: web
            image: debian   # pinned by CI
            labels:
              old: x
          w1:
            image_selector: "os=talos"
            architecture: arm
            server_type: cax11
        # trailing comment

        """, TestContext.Current.CancellationToken);
}
