using Shouldly;
using Xunit;

namespace Drover.Cli.Tests;

public sealed class ContextTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Local_is_the_default_context()
    {
        var result = await _cli.RunAsync("context", "list");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain("*        local");
    }

    [Fact]
    public async Task Create_stores_the_token_from_the_environment_and_list_never_prints_it()
    {
        _cli.Environment["HCLOUD_TOKEN"] = "secret-token-1234567890";

        var create = await _cli.RunAsync("context", "create", "prod", "--endpoint", "http://127.0.0.1:9/v1");
        var use = await _cli.RunAsync("context", "use", "prod");
        _cli.Environment.Remove("HCLOUD_TOKEN");
        var list = await _cli.RunAsync("context", "list", "-o", "json");

        create.ExitCode.ShouldBe(0, create.ToString());
        use.ExitCode.ShouldBe(0, use.ToString());
        list.Stdout.ShouldContain("\"name\":\"prod\",\"endpoint\":\"http://127.0.0.1:9/v1\",\"active\":true");
        (create.Stdout + create.Stderr + list.Stdout + list.Stderr).ShouldNotContain("secret-token-1234567890");
        var configFile = Path.Combine(_cli.Home, ".config", "drover", "config.json");
        File.GetUnixFileMode(configFile).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public async Task Using_an_unknown_context_is_a_usage_error()
    {
        var result = await _cli.RunAsync("context", "use", "nope");

        result.ExitCode.ShouldBe(2);
        result.Stderr.ShouldContain("no context named 'nope'");
    }

    [Fact]
    public async Task Create_without_a_token_is_refused()
    {
        var result = await _cli.RunAsync("context", "create", "x");

        result.ExitCode.ShouldBe(2);
        result.Stderr.ShouldContain("no token");
    }

    [Fact]
    public async Task A_stored_context_is_used_and_an_unreachable_endpoint_fails_cleanly()
    {
        _cli.Environment["HCLOUD_TOKEN"] = "t";
        await _cli.RunAsync("context", "create", "dead", "--endpoint", "http://127.0.0.1:9/v1", "--activate");
        _cli.Environment.Remove("HCLOUD_TOKEN");

        var result = await _cli.RunAsync("server", "list");

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldContain("cannot reach the API");
    }
}
