using Drover.Core.Processes;
using Drover.LocalCloud.Proxmox;
using Shouldly;
using Xunit;

namespace Drover.LocalCloud.Tests.Proxmox;

/// <summary>
/// Real cloud-init reads the drive the local Proxmox VE builds, as cloud-init on a template would: its schema check
/// accepts the generated user-data, and its network renderer turns the generated network-config (version 1, as
/// Proxmox writes it) into the networkd unit the static address asks for.
/// </summary>
public sealed class PveCloudInitConsumerTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("drover-pve-ci-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IReadOnlyDictionary<string, string> Drive()
    {
        var config = new PveVmConfig
        {
            ["name"] = "web1",
            ["net0"] = "virtio=BC:24:11:AA:BB:CC,bridge=vmbr0",
            ["ipconfig0"] = "ip=198.19.254.21/24,gw=198.19.254.1",
            ["nameserver"] = "198.19.254.3",
            ["searchdomain"] = "lab.internal",
            ["ciuser"] = "root",
            ["sshkeys"] = Uri.EscapeDataString("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ2kYxFtMqHhf7q6G9vY5FvB3r8c4o2Zx9kq1Yf0nT8D a@host"),
        };
        return new PveCloudInit([], []).Files(config, 100, _ => throw new InvalidOperationException("no snippets here"));
    }

    [Fact]
    public async Task Cloud_inits_schema_check_accepts_the_generated_user_data()
    {
        SkipWithoutCloudInit();
        var file = Path.Combine(_dir.FullName, "user-data");
        await File.WriteAllTextAsync(file, Drive()["user-data"], Ct);

        var result = await ProcessRunner.RunAsync("cloud-init", ["schema", "--config-file", file], cancellationToken: Ct);

        result.ExitCode.ShouldBe(0, result.Stdout + result.Stderr);
        (result.Stdout + result.Stderr).ShouldContain("Valid cloud-config");
    }

    [Fact]
    public async Task Cloud_init_renders_the_generated_network_config_as_the_static_address()
    {
        SkipWithoutCloudInit();
        var file = Path.Combine(_dir.FullName, "network-config");
        await File.WriteAllTextAsync(file, Drive()["network-config"], Ct);
        var output = Path.Combine(_dir.FullName, "out");

        var result = await ProcessRunner.RunAsync("cloud-init",
            ["devel", "net-convert", "-p", file, "-k", "yaml", "-d", output, "-D", "debian", "-O", "networkd", "-m", "eth0,bc:24:11:aa:bb:cc"], cancellationToken: Ct);

        result.ExitCode.ShouldBe(0, result.Stdout + result.Stderr);
        var unit = await File.ReadAllTextAsync(Path.Combine(output, "etc", "systemd", "network", "10-cloud-init-eth0.network"), Ct);
        unit.ShouldContain("Address=198.19.254.21/24");
        unit.ShouldContain("MACAddress=bc:24:11:aa:bb:cc");
        unit.ShouldContain("Gateway=198.19.254.1");
        unit.ShouldContain("DNS=198.19.254.3");
        unit.ShouldContain("Domains=lab.internal");
    }

    private static void SkipWithoutCloudInit()
    {
        if (!File.Exists("/usr/bin/cloud-init"))
        {
            Assert.Skip("cloud-init is missing (bash scripts/setup installs it)");
        }
    }
}
