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
    public async Task Help_lists_the_commands()
    {
        var result = await _cli.RunAsync("--help");

        result.ExitCode.ShouldBe(0);
        foreach (var command in new[] { "context", "local", "server", "image", "ssh-key", "demo" })
        {
            result.Stdout.ShouldContain(command);
        }
    }
}
