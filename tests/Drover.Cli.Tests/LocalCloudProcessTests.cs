using System.Text.Json;
using Drover.Hcloud.Contracts;
using Shouldly;
using Xunit;

namespace Drover.Cli.Tests;

/// <summary>'drover local up/down/status/reset' with a real background process, stopped by its own PID.</summary>
public sealed class LocalCloudProcessTests : IAsyncLifetime
{
    private readonly CliRunner _cli = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _cli.RunAsync("local", "down");
        _cli.Dispose();
    }

    [Fact]
    public async Task Up_is_idempotent_status_shows_endpoint_and_token_and_down_stops_the_process()
    {
        var up = await _cli.RunAsync("local", "up", "-o", "json");
        var again = await _cli.RunAsync("local", "up", "-o", "json");
        var status = await _cli.RunAsync("local", "status", "-o", "json");

        up.ExitCode.ShouldBe(0, up.ToString());
        using var first = JsonDocument.Parse(up.Stdout);
        using var second = JsonDocument.Parse(again.Stdout);
        using var current = JsonDocument.Parse(status.Stdout);
        var pid = first.RootElement.GetProperty("pid").GetInt32();
        second.RootElement.GetProperty("pid").GetInt32().ShouldBe(pid);
        current.RootElement.GetProperty("running").GetBoolean().ShouldBeTrue();
        current.RootElement.GetProperty("endpoint").GetString().ShouldStartWith("http://127.0.0.1:");
        current.RootElement.GetProperty("token").GetString()!.Length.ShouldBe(64);
        current.RootElement.GetProperty("machine").GetProperty("mode").GetString().ShouldNotBeNullOrEmpty();
        IsRunning(pid).ShouldBeTrue();

        var exports = await _cli.RunAsync("local", "env");
        exports.Stdout.Trim().ShouldBe($"export HCLOUD_ENDPOINT={current.RootElement.GetProperty("endpoint").GetString()} HCLOUD_TOKEN={current.RootElement.GetProperty("token").GetString()}");

        var down = await _cli.RunAsync("local", "down");

        down.ExitCode.ShouldBe(0, down.ToString());
        IsRunning(pid).ShouldBeFalse("the local cloud process must be gone after 'local down'");
        using var after = JsonDocument.Parse((await _cli.RunAsync("local", "status", "-o", "json")).Stdout);
        after.RootElement.GetProperty("running").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task Commands_start_the_local_cloud_on_demand_and_state_survives_a_restart()
    {
        var images = await _cli.RunAsync("image", "list", "-o", "json");
        var demo = await _cli.RunAsync("demo", "--keep");
        await _cli.RunAsync("local", "down");
        var servers = await _cli.RunAsync("server", "list", "-o", "json");

        images.ExitCode.ShouldBe(0, images.ToString());
        JsonSerializer.Deserialize(images.Stdout, HcloudJsonContext.Default.IReadOnlyListImage)!.ShouldContain(i => i.Name == "ubuntu-24.04");
        demo.ExitCode.ShouldBe(0, demo.ToString());
        servers.ExitCode.ShouldBe(0, servers.ToString());
        JsonSerializer.Deserialize(servers.Stdout, HcloudJsonContext.Default.IReadOnlyListServer)!.ShouldContain(s => s.Name.StartsWith("demo-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reset_forgets_all_resources()
    {
        (await _cli.RunAsync("demo", "--keep")).ExitCode.ShouldBe(0);

        var reset = await _cli.RunAsync("local", "reset");
        var servers = await _cli.RunAsync("server", "list", "-o", "json");

        reset.ExitCode.ShouldBe(0, reset.ToString());
        servers.Stdout.Trim().ShouldBe("[]");
    }

    /// <summary>A live process has a command line; an exited one (gone, or a zombie not yet reaped) has none.</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Length > 0;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
