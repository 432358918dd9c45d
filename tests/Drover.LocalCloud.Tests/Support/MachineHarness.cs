using System.Text.Json;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.Testing;
using Xunit;

namespace Drover.LocalCloud.Tests.Support;

/// <summary>
/// A local cloud on 127.0.0.1 with machines on (real rescue systems), a client that polls often, and a throwaway
/// ed25519 key pair. <see cref="SkipUnlessMachines"/> skips the test, with the reason, where rescue systems
/// cannot run (not root, no <c>ip netns</c>, no sshd, no ssh client).
/// </summary>
public sealed class MachineHarness : IAsyncDisposable
{
    private MachineHarness(TestLocalCloud cloud, TempDirectory directory)
    {
        Cloud = cloud;
        Directory = directory;
        Client = CreateClient(cloud.Endpoint, cloud.Options.Token);
    }

    public TestLocalCloud Cloud { get; }
    public HcloudClient Client { get; }
    public TempDirectory Directory { get; }

    /// <summary>The private half of the test's SSH key (after CreateSshKeyAsync).</summary>
    public string KeyFile => Directory.File("id_ed25519");

    /// <summary>Skips the test unless this machine can run rescue systems and the test has ssh, ssh-keygen and curl.</summary>
    public static void SkipUnlessMachines()
    {
        var support = MachineSupportProbe.Probe();
        if (support.Mode != MachineSupportProbe.Machines)
        {
            Assert.Skip($"rescue systems cannot run here: {support.Reason}");
        }
        foreach (var tool in new[] { "ssh", "ssh-keygen", "curl", "sha256sum" })
        {
            if (ProcessRunner.FindOnPath(tool) is null)
            {
                Assert.Skip($"{tool} not found on PATH: machine tests use it from the host");
            }
        }
    }

    /// <summary>Skips unless machines work, then starts a loopback cloud with machines on (state in memory unless given).</summary>
    public static async Task<MachineHarness> StartAsync(string? stateDirectory = null, Func<LocalCloudOptions, LocalCloudOptions>? configure = null)
    {
        SkipUnlessMachines();
        var directory = new TempDirectory();
        var options = TestLocalCloud.DefaultOptions() with
        {
            ActionDuration = TimeSpan.FromMilliseconds(100),
            Machines = MachineMode.Auto,
            StateDirectory = stateDirectory,
        };
        return new MachineHarness(await TestLocalCloud.StartOnLoopbackAsync(configure?.Invoke(options) ?? options), directory);
    }

    public static HcloudClient CreateClient(Uri endpoint, string token) => HcloudClient.Create(new HcloudClientOptions
    {
        Endpoint = endpoint,
        Token = token,
        PollInterval = TimeSpan.FromMilliseconds(50),
        PollIntervalMax = TimeSpan.FromMilliseconds(250),
    });

    /// <summary>Generates an ed25519 key pair with ssh-keygen and uploads its public half.</summary>
    public async Task<SshKey> CreateSshKeyAsync(CancellationToken cancellationToken)
        => await CreateSshKeyAsync(Client, Directory, cancellationToken);

    public static async Task<SshKey> CreateSshKeyAsync(HcloudClient client, TempDirectory directory, CancellationToken cancellationToken)
    {
        var file = directory.File("id_ed25519");
        if (!File.Exists(file))
        {
            var keygen = await ProcessRunner.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "drover-machine-test", "-f", file], directory.Path, new Dictionary<string, string?>(), cancellationToken);
            if (keygen.ExitCode != 0)
            {
                throw new InvalidOperationException($"ssh-keygen failed: {keygen}");
            }
        }
        var name = $"machine-test-{Guid.NewGuid():N}"[..24];
        return await client.SshKeys.CreateAsync(new CreateSshKeyRequest { Name = name, PublicKey = (await File.ReadAllTextAsync(file + ".pub", cancellationToken)).Trim() }, cancellationToken);
    }

    /// <summary>Creates a cx23 server (not started) and waits for its create action.</summary>
    public async Task<Server> CreateServerAsync(string name, CancellationToken cancellationToken, IdOrName? image = null)
        => await CreateServerAsync(Client, name, cancellationToken, image);

    public static async Task<Server> CreateServerAsync(HcloudClient client, string name, CancellationToken cancellationToken, IdOrName? image = null)
    {
        var created = await client.Servers.CreateAsync(new CreateServerRequest
        {
            Name = name,
            ServerType = "cx23",
            Image = image ?? "ubuntu-24.04",
            Location = "fsn1",
            StartAfterCreate = false,
        }, cancellationToken);
        await client.Actions.WaitAsync([created.Action, .. created.NextActions], cancellationToken: cancellationToken);
        return created.Server;
    }

    /// <summary>enable_rescue with the key, then poweron; returns the server's IPv4 once the poweron action succeeded.</summary>
    public static async Task<string> BootRescueAsync(HcloudClient client, Server server, SshKey key, CancellationToken cancellationToken)
    {
        var rescue = await client.Servers.EnableRescueAsync(server.Id, new EnableRescueRequest { Type = "linux64", SshKeys = [key.Id] }, cancellationToken);
        await client.Actions.WaitAsync([rescue.Action], cancellationToken: cancellationToken);
        await client.Actions.WaitAsync([await client.Servers.PowerOnAsync(server.Id, cancellationToken)], cancellationToken: cancellationToken);
        return server.PublicNet.Ipv4!.Ip;
    }

    public Task<string> BootRescueAsync(Server server, SshKey key, CancellationToken cancellationToken) => BootRescueAsync(Client, server, key, cancellationToken);

    /// <summary>Runs <paramref name="command"/> as root in the rescue system at <paramref name="address"/>.</summary>
    public Task<ProcessResult> SshAsync(string address, string command, CancellationToken cancellationToken)
        => SshAsync(KeyFile, address, command, Directory.Path, cancellationToken);

    public static Task<ProcessResult> SshAsync(string keyFile, string address, string command, string workingDirectory, CancellationToken cancellationToken)
        => ProcessRunner.RunAsync("ssh",
            ["-i", keyFile, "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
             "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR", $"root@{address}", command],
            workingDirectory, new Dictionary<string, string?>(), cancellationToken);

    /// <summary><c>GET /__localcloud/servers/{id}</c>.</summary>
    public Task<ControlServerMachine> MachineOfAsync(long serverId) => MachineOfAsync(Cloud.Endpoint, Cloud.Options.Token, serverId);

    public static async Task<ControlServerMachine> MachineOfAsync(Uri endpoint, string token, long serverId)
        => JsonSerializer.Deserialize(await ControlGetAsync(endpoint, token, $"servers/{serverId}"), LocalCloudJsonContext.Default.ControlServerMachine)!;

    /// <summary><c>GET /__localcloud/images/{id}</c>.</summary>
    public async Task<ControlImageMachine> ImageMachineOfAsync(long imageId)
        => JsonSerializer.Deserialize(await ControlGetAsync(Cloud.Endpoint, Cloud.Options.Token, $"images/{imageId}"), LocalCloudJsonContext.Default.ControlImageMachine)!;

    public static async Task<string> ControlGetAsync(Uri endpoint, string token, string path)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await http.GetAsync(new Uri(endpoint, "/__localcloud/" + path));
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? body : throw new InvalidOperationException($"GET /__localcloud/{path}: {(int)response.StatusCode} {body}");
    }

    public async ValueTask DisposeAsync()
    {
        await Cloud.DisposeAsync();
        Directory.Dispose();
    }
}
