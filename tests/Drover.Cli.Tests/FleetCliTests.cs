using System.Diagnostics;
using System.Text.Json;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Labels;
using Drover.Testing;
using Shouldly;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace Drover.Cli.Tests;

/// <summary>The fleet path through the CLI: init, bootstrap, host set, plan, user-data render, refusals.</summary>
public sealed class FleetCliTests : IAsyncLifetime
{
    private TestLocalCloud _cloud = null!;
    private readonly CliRunner _cli = new();
    private string Dir => Path.Combine(_cli.Home, "fleet");
    private string Config => Path.Combine(Dir, "drover.yaml");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _cloud = await TestLocalCloud.StartOnLoopbackAsync(TestLocalCloud.DefaultOptions() with { ActionDuration = TimeSpan.FromMilliseconds(50) });
        _cli.Environment["HCLOUD_ENDPOINT"] = _cloud.Endpoint.ToString();
        _cli.Environment["HCLOUD_TOKEN"] = _cloud.Options.Token;
    }

    public async ValueTask DisposeAsync()
    {
        _cli.Dispose();
        await _cloud.DisposeAsync();
    }

    private async Task InitAsync()
    {
        var init = await _cli.RunAsync("init", "--dir", Dir);
        init.ExitCode.ShouldBe(0, init.ToString());
    }

    [Fact]
    public async Task Init_then_bootstrap_creates_the_example_fleet_a_second_run_changes_nothing_and_a_new_pin_needs_replacement()
    {
        await InitAsync();

        var first = await _cli.RunAsync("bootstrap", "--config", Config);

        first.ExitCode.ShouldBe(0, first.ToString());
        foreach (var host in new[] { "web1", "web2", "db1" })
        {
            first.Stdout.ShouldContain(host);
        }
        first.Stdout.ShouldContain("running");
        var client = _cloud.CreateClient();
        var servers = await client.Servers.ListAsync(new() { LabelSelector = LabelSelector.Parse("drover/fleet=example") }, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);
        servers.Select(s => s.Labels[DroverLabels.Host]).Order().ShouldBe(["db1", "web1", "web2"]);
        servers.ShouldAllBe(s => s.Status == ServerStatus.Running);

        var second = await _cli.RunAsync("bootstrap", "--config", Config, "-o", "json");

        second.ExitCode.ShouldBe(0, second.ToString());
        second.Stderr.ShouldContain("no changes");
        using (var doc = JsonDocument.Parse(second.Stdout))
        {
            doc.RootElement.GetProperty("hosts").EnumerateArray().Select(h => h.GetProperty("change").GetString()).ShouldAllBe(c => c == "keep");
        }
        (await client.Servers.ListAsync(cancellationToken: TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken))
            .Select(s => s.Id).Order().ShouldBe(servers.Select(s => s.Id).Order());

        await _cloud.ControlAsync(HttpMethod.Post, "seed/snapshots", """{"count": 1, "labels": {"os": "debian"}}""");
        var snapshot = (await client.Images.ListAsync(new() { Type = [ImageType.Snapshot] }, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken)).Single();
        var set = await _cli.RunAsync("host", "set", "web1", "--image", snapshot.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--config", Config);
        set.ExitCode.ShouldBe(0, set.ToString());

        var plan = await _cli.RunAsync("bootstrap", "--plan", "--config", Config, "-o", "json");

        plan.ExitCode.ShouldBe(0, plan.ToString());
        using var planDoc = JsonDocument.Parse(plan.Stdout);
        var changes = planDoc.RootElement.GetProperty("hosts").EnumerateArray().ToDictionary(h => h.GetProperty("name").GetString()!, h => h.GetProperty("change").GetString());
        changes["web1"].ShouldBe("needs-replace");
        changes["web2"].ShouldBe("keep");
        changes["db1"].ShouldBe("keep");
        var table = await _cli.RunAsync("bootstrap", "--plan", "--config", Config);
        table.Stdout.ShouldContain("needs-replace");
        table.Stdout.ShouldContain($"→ {snapshot.Id}");
    }

    [Fact]
    public async Task Init_nixos_writes_the_example_flake_with_the_drover_reference_and_a_fleet_file_that_loads()
    {
        var example = Path.Combine(NixWorkspace.RepositoryRoot, "examples", "nixos-fleet");

        var init = await _cli.RunAsync("init", "--nixos", "--dir", Dir, "--drover-flake", "github:example/drover", "--flake-ref", "github:example/fleet");
        var again = await _cli.RunAsync("init", "--nixos", "--dir", Dir, "--drover-flake", "github:example/drover");

        init.ExitCode.ShouldBe(0, init.Stderr);
        foreach (var file in new[] { "hosts/web1.nix", "hosts/web2.nix", "agent/README.md" })
        {
            (await File.ReadAllTextAsync(Path.Combine(Dir, file), Ct)).ShouldBe(await File.ReadAllTextAsync(Path.Combine(example, file), Ct), file);
        }
        var flake = await File.ReadAllLinesAsync(Path.Combine(Dir, "flake.nix"), Ct);
        var original = await File.ReadAllLinesAsync(Path.Combine(example, "flake.nix"), Ct);
        flake.Length.ShouldBe(original.Length);
        flake.Where((line, i) => line != original[i]).ShouldBe(["    drover.url = \"github:example/drover\";"]);
        File.Exists(Path.Combine(Dir, ".drover", "id_ed25519")).ShouldBeTrue();
        var hosts = await _cli.RunAsync("host", "list", "--config", Config, "-o", "json");
        hosts.ExitCode.ShouldBe(0, hosts.Stderr);
        var list = JsonDocument.Parse(hosts.Stdout).RootElement.EnumerateArray().ToList();
        list.Select(h => h.GetProperty("name").GetString()).ShouldBe(["web1", "web2"]);
        hosts.Stdout.ShouldContain("nixos-rebuild switch --flake 'github:example/fleet#web1' --impure");
        again.ExitCode.ShouldBe(2);
        again.Stderr.ShouldContain("already exists; use --force to overwrite it");
    }

    [Fact]
    public async Task Bootstrap_replace_re_creates_the_host_and_forgets_the_old_servers_host_key()
    {
        await InitAsync();
        (await _cli.RunAsync("bootstrap", "--config", Config)).ExitCode.ShouldBe(0);
        var client = _cloud.CreateClient();
        var ct = TestContext.Current.CancellationToken;
        var before = await client.Servers.ListAsync(new() { LabelSelector = LabelSelector.Parse("drover/fleet=example") }, ct).ToDictionaryAsync(s => s.Name, cancellationToken: ct);
        var knownHosts = Path.Combine(_cli.Home, ".local", "share", "drover", "known_hosts");
        Directory.CreateDirectory(Path.GetDirectoryName(knownHosts)!);
        var key = "ssh-ed25519 " + Convert.ToBase64String(new byte[51]);
        await File.WriteAllTextAsync(knownHosts, $"{before["web1"].PublicNet.Ipv4!.Ip} {key}\n{before["web2"].PublicNet.Ipv4!.Ip} {key}\n", ct);
        await _cloud.ControlAsync(HttpMethod.Post, "seed/snapshots", """{"count": 1, "labels": {"os": "debian"}}""");
        var snapshot = (await client.Images.ListAsync(new() { Type = [ImageType.Snapshot] }, ct).ToListAsync(ct)).Single();
        (await _cli.RunAsync("host", "set", "web1", "--image", snapshot.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--config", Config)).ExitCode.ShouldBe(0);

        var replace = await _cli.RunAsync("bootstrap", "--replace", "--config", Config, "-o", "json");

        replace.ExitCode.ShouldBe(0, replace.ToString());
        var after = await client.Servers.ListAsync(new() { LabelSelector = LabelSelector.Parse("drover/fleet=example") }, ct).ToDictionaryAsync(s => s.Name, cancellationToken: ct);
        after["web1"].Id.ShouldNotBe(before["web1"].Id);
        after["web1"].Image!.Id.ShouldBe(snapshot.Id);
        after["web2"].Id.ShouldBe(before["web2"].Id);
        (await client.Servers.GetAsync(before["web1"].Id, ct)).ShouldBeNull();
        File.ReadAllText(knownHosts).ShouldBe($"{before["web2"].PublicNet.Ipv4!.Ip} {key}\n", "only the replaced server's host key is forgotten");
    }

    [Theory]
    [InlineData("typo", "hosts:\n  web1:\n    image: debian-12\n    server_tpye: cx23\n", "drover.yaml:6:5", "hosts.web1.server_tpye")]
    [InlineData("wrong type", "hosts:\n  web1:\n    image: debian-12\n    server_type: [cx23]\n", "drover.yaml:6:18", "hosts.web1.server_type")]
    [InlineData("wrong architecture", "images:\n  arm: {name: debian-12, architecture: arm}\nhosts:\n  web1:\n    image: arm\n", "drover.yaml:7:12", "hosts.web1.image")]
    public async Task A_bad_fleet_file_is_refused_before_any_api_call_naming_file_line_column_and_field(string what, string hosts, string position, string field)
    {
        _ = what;
        Directory.CreateDirectory(Dir);
        await File.WriteAllTextAsync(Config, "fleet: f\ndefaults: {location: fsn1, server_type: cx23}\n" + hosts, TestContext.Current.CancellationToken);
        // Nothing listens here: any API call would fail with "cannot reach the API" instead of the fleet error.
        _cli.Environment["HCLOUD_ENDPOINT"] = "http://127.0.0.1:9/v1";

        var result = await _cli.RunAsync("bootstrap", "--config", Config);

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldContain(position);
        result.Stderr.ShouldContain(field);
        result.Stderr.ShouldNotContain("cannot reach");
    }

    [Fact]
    public async Task Rendered_user_data_of_the_example_passes_cloud_inits_own_schema_check()
    {
        await InitAsync();
        foreach (var host in new[] { "web1", "db1" })
        {
            var render = await _cli.RunAsync("userdata", "render", host, "--config", Config);
            render.ExitCode.ShouldBe(0, render.ToString());
            render.Stdout.ShouldStartWith("#cloud-config");
            render.Stdout.ShouldContain(host);
            await CloudInitSchemaAsync(render.Stdout);
        }
    }

    [Fact]
    public async Task Configmap_and_crossplane_renders_parse_as_yaml_of_the_expected_kinds_and_nocloud_writes_a_seed()
    {
        await InitAsync();

        var configMap = await _cli.RunAsync("userdata", "render", "web1", "--config", Config, "--format", "configmap");
        var crossplane = await _cli.RunAsync("userdata", "render", "web1", "--config", Config, "--format", "crossplane");
        var proxmox = await _cli.RunAsync("userdata", "render", "web1", "--config", Config, "--format", "crossplane", "--provider", "proxmox-bpg",
            "--template-vmid", "9100", "--xrd-group", "infra.example.org");
        var badGroup = await _cli.RunAsync("userdata", "render", "web1", "--config", Config, "--format", "crossplane", "--xrd-group", "NoDots");
        var seedDir = Path.Combine(_cli.Home, "seed");
        var nocloud = await _cli.RunAsync("userdata", "render", "web1", "--config", Config, "--format", "nocloud", "--output-dir", seedDir);
        var nocloudWithoutDir = await _cli.RunAsync("userdata", "render", "web1", "--config", Config, "--format", "nocloud");

        Kind(configMap.Stdout).ShouldBe("ConfigMap");
        Kinds(crossplane.Stdout).ShouldBe(["CompositeResourceDefinition", "Composition", "XDroverHost"]);
        crossplane.Stdout.ShouldContain("apiVersion: server.hetzner.m.crossplane.io/v1alpha1");
        Kinds(proxmox.Stdout).ShouldBe(["CompositeResourceDefinition", "Composition", "XDroverHost"]);
        proxmox.Stdout.ShouldContain("kind: EnvironmentVM");
        proxmox.Stdout.ShouldContain("templateVmId: 9100");
        proxmox.Stdout.ShouldContain("apiVersion: infra.example.org/v1alpha1");
        badGroup.ExitCode.ShouldBe(2);
        badGroup.Stderr.ShouldContain("--xrd-group 'NoDots'");
        nocloud.ExitCode.ShouldBe(0, nocloud.ToString());
        File.ReadAllText(Path.Combine(seedDir, "user-data")).ShouldStartWith("#cloud-config");
        File.ReadAllText(Path.Combine(seedDir, "meta-data")).ShouldContain("web1");
        nocloudWithoutDir.ExitCode.ShouldBe(2);
        nocloudWithoutDir.Stderr.ShouldContain("--output-dir");
    }

    [Fact]
    public async Task Update_apply_without_a_converge_command_names_the_host_in_the_file()
    {
        await InitAsync();

        var result = await _cli.RunAsync("server", "update", "apply", "--host", "db1", "--config", Config);

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldContain("drover.yaml:");
        result.Stderr.ShouldContain("hosts.db1: has no converge command");
    }

    [Fact]
    public async Task Secrets_sync_of_an_unknown_host_or_a_missing_bundle_fails_clearly()
    {
        await InitAsync();

        var unknown = await _cli.RunAsync("secrets", "sync", "--host", "nope", "--config", Config, "--target-host", "root@127.0.0.1");
        var missing = await _cli.RunAsync("secrets", "sync", "--host", "web1", "--config", Config, "--target-host", "root@127.0.0.1");

        unknown.ExitCode.ShouldBe(2, unknown.ToString());
        unknown.Stderr.ShouldContain("no host 'nope'");
        missing.ExitCode.ShouldBe(1, missing.ToString());
        missing.Stderr.ShouldContain("secrets/web1");
    }

    private static string?[] Kinds(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return [.. stream.Documents.Select(d => ((YamlScalarNode)((YamlMappingNode)d.RootNode).Children[new YamlScalarNode("kind")]).Value)];
    }

    private static string? Kind(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        return ((YamlScalarNode)root.Children[new YamlScalarNode("kind")]).Value;
    }

    private static async Task CloudInitSchemaAsync(string cloudConfig)
    {
        if (!File.Exists("/usr/bin/cloud-init"))
        {
            Assert.Skip("cloud-init is not installed (scripts/setup installs it): cannot run its schema check");
        }
        var file = Path.Combine(Path.GetTempPath(), $"drover-cc-{Guid.NewGuid():n}.yaml");
        await File.WriteAllTextAsync(file, cloudConfig, TestContext.Current.CancellationToken);
        try
        {
            var start = new ProcessStartInfo("cloud-init") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("schema");
            start.ArgumentList.Add("--config-file");
            start.ArgumentList.Add(file);
            using var p = Process.Start(start)!;
            var stdout = await p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var stderr = await p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await p.WaitForExitAsync(TestContext.Current.CancellationToken);
            p.ExitCode.ShouldBe(0, $"{stdout}\n{stderr}\n---\n{cloudConfig}");
        }
        finally
        {
            File.Delete(file);
        }
    }
}
