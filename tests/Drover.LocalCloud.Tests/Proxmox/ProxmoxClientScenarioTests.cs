using Drover.Core.Processes;
using Drover.LocalCloud.Proxmox;
using Drover.LocalCloud.Tests.Support;
using Drover.Testing;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Xunit;
using ProcessRunner = Drover.Core.Processes.ProcessRunner;

namespace Drover.LocalCloud.Tests.Proxmox;

/// <summary>
/// A real Proxmox client, the npm package proxmox-api (pinned in <c>proxmox-client/package-lock.json</c>), runs a
/// scenario against the local Proxmox VE on 127.0.0.1 over https, trusting only the node's own certificate: version,
/// nextid, upload, create with import and cloud-init drive, template, linked clone, cloud-init settings and dump, a
/// missing VM's error, delete. API-only (no VM starts).
/// </summary>
public sealed class ProxmoxClientScenarioTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_npm_client_proxmox_api_runs_the_scenario_against_the_local_Proxmox_VE()
    {
        // Arrange
        var node = ProcessRunner.Find("node");
        var npm = ProcessRunner.Find("npm");
        if (node is null || npm is null)
        {
            Assert.Skip("node and npm are needed for the npm client scenario (Debian: nodejs, npm)");
        }
        using var work = new TempDirectory();
        foreach (var file in new[] { "package.json", "package-lock.json", "scenario.js" })
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, "proxmox-client", file), work.File(file));
        }
        var install = await ProcessRunner.RunAsync(npm, ["ci", "--no-audit", "--no-fund", "--ignore-scripts"],
            new ProcessOptions { WorkingDirectory = work.Path, Timeout = TimeSpan.FromMinutes(5) }, Ct);
        install.ExitCode.ShouldBe(0, $"npm ci failed: {install.Stderr}");
        var state = work.File("state");
        var options = TestLocalCloud.DefaultOptions() with { StateDirectory = state, Machines = MachineMode.Off };
        var (app, _) = await LocalCloudServer.StartAsync(options, 0, Ct);
        await using var _app = app;
        var pve = app.Services.GetRequiredService<LocalProxmox>();

        // Act
        var run = await ProcessRunner.RunAsync(node, [work.File("scenario.js")], new ProcessOptions
        {
            WorkingDirectory = work.Path,
            Timeout = TimeSpan.FromMinutes(5),
            Environment = new Dictionary<string, string?>
            {
                ["PVE_HOST"] = "127.0.0.1",
                ["PVE_PORT"] = pve.Port!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["PVE_NODE"] = pve.State.Node,
                ["PVE_TOKEN_ID"] = PveCredentials.TokenId,
                ["PVE_TOKEN_SECRET"] = pve.Credentials.TokenSecret,
                ["PVE_CA"] = Path.Combine(state, "proxmox", "pve-ssl.pem"),
            },
        }, Ct);
        await app.StopAsync(Ct);

        // Assert
        run.ExitCode.ShouldBe(0, $"scenario failed:\n{run.Stdout}\n{run.Stderr}");
        run.Stdout.ShouldContain("step clone: local:100/base-100-disk-0.raw/101/vm-101-disk-0.qcow2");
        run.Stdout.ShouldContain("step missing: the client surfaced the 500 reason");
        run.Stdout.TrimEnd().ShouldEndWith("scenario ok");
    }
}
