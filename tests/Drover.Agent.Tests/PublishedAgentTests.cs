using System.Diagnostics;
using System.Text.Json;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Agent.Tests;

/// <summary>The real artifact: scripts/publish-agent (trimmed, self-contained single file), run against the fake service.</summary>
[MachineTier]
public sealed class PublishedAgentTests
{
    [Fact]
    public async Task Published_single_file_runs_against_the_metadata_service()
    {
        // Arrange: publish into a temporary directory.
        var repo = FindRepository();
        var script = Path.Combine(repo, "scripts", "publish-agent");
        if (!File.Exists(script))
        {
            Assert.Skip($"{script} is missing");
        }

        using var output = new TempRoot();
        using var root = new TempRoot();
        var ct = TestContext.Current.CancellationToken;
        var (publishCode, publishLog) = await RunAsync(script, [], new Dictionary<string, string> { ["DROVER_AGENT_OUT"] = output.Path }, repo, ct);
        if (publishCode != 0 && (publishLog.Contains("NETSDK1112", StringComparison.Ordinal) || publishLog.Contains("NU1101", StringComparison.Ordinal)
            || publishLog.Contains("NU1301", StringComparison.Ordinal)))
        {
            Assert.Skip("the linux-x64 runtime pack cannot be restored here (offline NuGet): " + publishLog.Split('\n').FirstOrDefault(l => l.Contains("error", StringComparison.Ordinal)));
        }

        publishCode.ShouldBe(0, publishLog);
        publishLog.ShouldNotContain("warning", Case.Insensitive);

        // Assert: one ELF executable (plus the unit file shipped next to it), nothing else to carry.
        var binary = Path.Combine(output.Path, "drover-agent");
        Directory.GetFiles(output.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal).ShouldBe(["drover-agent", "drover-agent.service"]);
        var header = new byte[4];
        await using (var stream = File.OpenRead(binary))
        {
            await stream.ReadExactlyAsync(header, ct);
        }

        header.ShouldBe(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' });
        (File.GetUnixFileMode(binary) & UnixFileMode.UserExecute).ShouldBe(UnixFileMode.UserExecute);
        var size = new FileInfo(binary).Length;
        TestContext.Current.TestOutputHelper?.WriteLine($"drover-agent single file: {size} bytes ({size / 1024.0 / 1024.0:0.0} MiB)");

        // Act: run it as a separate process against the fake metadata service.
        await using var server = (await FakeMetadataServer.StartAsync()).WithDefaults(Fixtures.DroverUserData);
        var (exitCode, agentLog) = await RunAsync(binary, ["--root", root.Path, "--metadata-url", server.BaseUrl.ToString(), "--timeout", "30s"], null, root.Path, ct);

        // Assert
        exitCode.ShouldBe(0, agentLog);
        agentLog.ShouldContain("DROVER-AGENT status=ok hostname=web1 instance-id=42");
        root.Read("/etc/hostname").ShouldBe("web1\n");
        root.Read("/etc/nix-flake-target").ShouldBe("github:example/infra\n");
        root.Read("/converge.log").ShouldBe("converge for web1 42 github:example/infra\n");
        root.Read("/etc/systemd/network/10-drover-public.network").ShouldContain("Address=2a01:4f8:c012:abcd::1/64");
        JsonDocument.Parse(root.Read("/etc/hcloud-metadata.json")).RootElement.GetProperty("private-networks").GetArrayLength().ShouldBe(2);
        JsonDocument.Parse(root.Read("/var/lib/drover/status.json")).RootElement.GetProperty("status").GetString().ShouldBe("ok");
        File.Exists(root["/var/lib/drover/agent.done"]).ShouldBeTrue();
    }

    private static string FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Drover.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Drover.slnx above {AppContext.BaseDirectory}");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] args, Dictionary<string, string>? environment, string workingDirectory,
        CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? [])
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        var text = await stdout + await stderr;
        TestContext.Current.TestOutputHelper?.WriteLine(text);
        return (process.ExitCode, text);
    }
}
