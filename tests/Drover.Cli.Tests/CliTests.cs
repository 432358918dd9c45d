using System.Text.Json;
using Drover.Hcloud.Contracts;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Cli.Tests;

/// <summary>The CLI against a local cloud on 127.0.0.1, selected through HCLOUD_ENDPOINT and HCLOUD_TOKEN.</summary>
public sealed class CliTests : IAsyncLifetime
{
    private TestLocalCloud _cloud = null!;
    private readonly CliRunner _cli = new();

    public async ValueTask InitializeAsync()
    {
        _cloud = await TestLocalCloud.StartOnLoopbackAsync(TestLocalCloud.DefaultOptions() with { ActionDuration = TimeSpan.Zero });
        _cli.Environment["HCLOUD_ENDPOINT"] = _cloud.Endpoint.ToString();
        _cli.Environment["HCLOUD_TOKEN"] = _cloud.Options.Token;
    }

    public async ValueTask DisposeAsync()
    {
        _cli.Dispose();
        await _cloud.DisposeAsync();
    }

    [Fact]
    public async Task Image_list_json_lists_the_system_images_of_both_architectures()
    {
        var result = await _cli.RunAsync("image", "list", "-o", "json");

        result.ExitCode.ShouldBe(0, result.ToString());
        var images = JsonSerializer.Deserialize(result.Stdout, HcloudJsonContext.Default.IReadOnlyListImage)!;
        images.ShouldContain(i => i.Name == "ubuntu-24.04" && i.Architecture == Architecture.X86);
        images.ShouldContain(i => i.Name == "debian-13" && i.Architecture == Architecture.Arm);
        images.ShouldAllBe(i => i.Type == ImageType.System);
    }

    [Fact]
    public async Task Image_list_filters_by_architecture_type_and_selector()
    {
        var client = _cloud.CreateClient();
        var server = await client.Servers.CreateAsync(new CreateServerRequest { Name = "web1", ServerType = "cax11", Image = "debian-12" }, TestContext.Current.CancellationToken);
        await client.Servers.CreateImageAsync(server.Server.Id, new CreateImageRequest { Description = "base", Labels = new Dictionary<string, string> { ["os"] = "debian" } }, TestContext.Current.CancellationToken);

        var arm = await _cli.RunAsync("image", "list", "--arch", "arm", "-o", "json");
        var snapshots = await _cli.RunAsync("image", "list", "--type", "snapshot", "-l", "os=debian");

        JsonSerializer.Deserialize(arm.Stdout, HcloudJsonContext.Default.IReadOnlyListImage)!.ShouldAllBe(i => i.Architecture == Architecture.Arm);
        snapshots.ExitCode.ShouldBe(0, snapshots.ToString());
        snapshots.Stdout.ShouldContain("snapshot");
        snapshots.Stdout.ShouldContain("os=debian");
        snapshots.Stdout.ShouldNotContain("ubuntu-24.04");
    }

    [Fact]
    public async Task Server_list_and_describe_show_a_server_created_through_the_api()
    {
        var client = _cloud.CreateClient();
        await client.Servers.CreateAsync(new CreateServerRequest { Name = "a", ServerType = "cx23", Image = "ubuntu-24.04", Location = "fsn1", Labels = new Dictionary<string, string> { ["role"] = "web" } }, TestContext.Current.CancellationToken);

        var list = await _cli.RunAsync("server", "list");
        var json = await _cli.RunAsync("server", "list", "-o", "json", "-l", "role=web");
        var describe = await _cli.RunAsync("server", "describe", "a");

        list.ExitCode.ShouldBe(0, list.ToString());
        list.Stdout.ShouldContain(" a ");
        list.Stdout.ShouldContain("cx23");
        JsonSerializer.Deserialize(json.Stdout, HcloudJsonContext.Default.IReadOnlyListServer)!.Single().Name.ShouldBe("a");
        describe.Stdout.ShouldContain("Location:     fsn1");
        describe.Stdout.ShouldContain("role=web");
    }

    [Fact]
    public async Task Describing_a_missing_server_fails_with_exit_code_1()
    {
        var result = await _cli.RunAsync("server", "describe", "nosuch");

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldContain("server not found: nosuch");
    }

    [Fact]
    public async Task An_invalid_label_selector_is_a_usage_error_naming_the_position()
    {
        var result = await _cli.RunAsync("image", "list", "-l", "env in (prod");

        result.ExitCode.ShouldBe(2);
        result.Stderr.ShouldContain("at position 13");
    }

    [Fact]
    public async Task Ssh_key_list_json_is_an_empty_array_when_there_are_no_keys()
    {
        var result = await _cli.RunAsync("ssh-key", "list", "-o", "json");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.Trim().ShouldBe("[]");
    }

    [Fact]
    public async Task A_wrong_token_fails_with_unauthorized_and_does_not_print_the_token()
    {
        _cli.Environment["HCLOUD_TOKEN"] = "wrong-token-value-xyz";

        var result = await _cli.RunAsync("server", "list");

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldContain("unauthorized");
        (result.Stdout + result.Stderr).ShouldNotContain("wrong-token-value-xyz");
    }

    [Fact]
    public async Task Unknown_options_are_usage_errors()
    {
        var result = await _cli.RunAsync("image", "list", "--bogus");

        result.ExitCode.ShouldBe(2);
        result.Stderr.ShouldContain("--bogus");
    }

    [Fact]
    public async Task Help_lists_every_top_level_command_in_its_commands_section()
    {
        // Arrange: the commands the root command defines.
        var io = new CliIO(TextWriter.Null, TextWriter.Null, TextReader.Null, _cli.Environment);
        var defined = CliApp.BuildRoot(new CliEnv(io, DroverPaths.From(io))).Subcommands.Select(c => c.Name).ToList();

        // Act
        var result = await _cli.RunAsync("--help");

        // Assert
        result.ExitCode.ShouldBe(0, result.ToString());
        var listed = HelpCommands(result.Stdout);
        listed.ShouldBe(defined, $"every command of the root, in its order, as a line of the Commands: section:\n{result.Stdout}");
        // A new top-level command belongs here too (and in the README's command list).
        listed.ShouldBe([
            "context", "local", "server", "image", "ssh-key", "bootstrap", "secrets", "userdata", "init", "schema", "host", "cleanup",
            "demo", "talos", "proxmox", "agent",
        ]);
    }

    /// <summary>
    /// The names in the "Commands:" section of a help text: the lines indented by exactly two spaces, each a name and
    /// then its description (continuation lines are indented further).
    /// </summary>
    private static List<string> HelpCommands(string help)
    {
        var lines = help.ReplaceLineEndings("\n").Split('\n');
        var start = Array.IndexOf(lines, "Commands:");
        start.ShouldBeGreaterThanOrEqualTo(0, $"no Commands: section in\n{help}");
        return [.. lines.Skip(start + 1)
            .TakeWhile(l => l.Length == 0 || l.StartsWith("  ", StringComparison.Ordinal))
            .Where(l => l.Length > 2 && l[2] != ' ')
            .Select(l => l[2..].Split("  ", 2, StringSplitOptions.TrimEntries))
            .Select(parts => parts.Length == 2 && parts[1].Length > 0 ? parts[0] : $"{parts[0]} (no description)")];
    }

    [Fact]
    public async Task Prune_keeps_the_newest_snapshots_and_label_sets_and_removes_labels()
    {
        await _cloud.ControlAsync(HttpMethod.Post, "seed/snapshots", """{"count": 5, "description_prefix": "base", "labels": {"os": "debian", "stage": "test"}}""");

        var dry = await _cli.RunAsync("image", "prune", "-l", "os=debian", "--keep", "2", "--dry-run", "-o", "json");
        var prune = await _cli.RunAsync("image", "prune", "-l", "os=debian", "--keep", "2", "-o", "json");
        var left = JsonSerializer.Deserialize((await _cli.RunAsync("image", "list", "--type", "snapshot", "-o", "json")).Stdout, HcloudJsonContext.Default.IReadOnlyListImage)!;
        var label = await _cli.RunAsync("image", "label", left[0].Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "role=web", "stage-", "-o", "json");

        dry.ExitCode.ShouldBe(0, dry.ToString());
        JsonSerializer.Deserialize(dry.Stdout, HcloudJsonContext.Default.IReadOnlyListImage)!.Count.ShouldBe(3);
        JsonSerializer.Deserialize(prune.Stdout, HcloudJsonContext.Default.IReadOnlyListImage)!.Count.ShouldBe(3);
        left.Select(i => i.Description).ShouldBe(["base-4", "base-5"]);
        label.ExitCode.ShouldBe(0, label.ToString());
        var labels = JsonSerializer.Deserialize(label.Stdout, HcloudJsonContext.Default.Image)!.Labels;
        labels["role"].ShouldBe("web");
        labels.Keys.ShouldNotContain("stage");
    }

    [Fact]
    public async Task Cleanup_dry_run_lists_and_deletes_nothing()
    {
        var result = await _cli.RunAsync("cleanup", "--dry-run", "-o", "json");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.Trim().ShouldBe("[]");
    }

    [Fact]
    public async Task Upload_refuses_bad_input_before_any_api_call()
    {
        var both = await _cli.RunAsync("image", "upload", "--image-path", "x", "--image-url", "http://127.0.0.1/x");
        var sha = await _cli.RunAsync("image", "upload", "--image-path", "x", "--sha256", "nothex");
        var labels = await _cli.RunAsync("image", "upload", "--image-path", "x", "--labels", "bad key=1");
        var missing = await _cli.RunAsync("image", "upload", "--image-path", "/nonexistent/image.raw");

        both.ExitCode.ShouldBe(2);
        sha.Stderr.ShouldContain("--sha256");
        labels.ExitCode.ShouldBe(2);
        labels.Stderr.ShouldContain("bad key");
        missing.ExitCode.ShouldBe(1);
        missing.Stderr.ShouldContain("/nonexistent/image.raw");
        (await _cli.RunAsync("ssh-key", "list", "-o", "json")).Stdout.Trim().ShouldBe("[]");
    }

    [Fact]
    public async Task Upload_with_an_architecture_other_than_the_manifests_fails_naming_both_and_creates_nothing()
    {
        // Arrange: an ARM Talos manifest (its image is downloaded by the rescue system, so it is not scanned).
        var schematic = Path.Combine(_cli.Home, "schematic.yaml");
        await File.WriteAllTextAsync(schematic, "customization: {}\n", TestContext.Current.CancellationToken);
        var build = await _cli.RunAsync("talos", "build", "--schematic", schematic, "--version", "v1.12.2", "--arch", "arm", "--output-dir", _cli.Home);
        var manifest = build.Stdout.Trim();
        string[] upload = ["image", "upload", "--image-url", "http://127.0.0.1:9/hcloud-arm64.raw.xz", "--manifest", manifest, "--allow-unscanned"];

        // Act
        var architecture = await _cli.RunAsync([.. upload, "--architecture", "x86"]);
        var serverType = await _cli.RunAsync([.. upload, "--server-type", "cx23"]);

        // Assert
        build.ExitCode.ShouldBe(0, build.ToString());
        architecture.ExitCode.ShouldBe(1, architecture.ToString());
        architecture.Stderr.ShouldContain($"error: input: the architecture is x86, but the image's manifest {manifest} says arm");
        serverType.ExitCode.ShouldBe(1, serverType.ToString());
        serverType.Stderr.ShouldContain($"error: input: server type cx23 is x86, not arm (the architecture of the image's manifest {manifest})");
        (await _cli.RunAsync("server", "list", "-o", "json")).Stdout.Trim().ShouldBe("[]");
        (await _cli.RunAsync("ssh-key", "list", "-o", "json")).Stdout.Trim().ShouldBe("[]");
    }
}
