using Drover.Core.Ssh;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Labels;
using Drover.Testing;
using Xunit;

namespace Drover.Fleet.Tests;

/// <summary>
/// A local cloud on 127.0.0.1 with real machines, holding one server of fleet <c>shop</c> (host <c>web1</c>) booted
/// into its rescue system: a real sshd in its own network namespace at the server's public IPv4, which accepts the
/// fleet's key. Tests skip with the cloud's own reason where machines are not possible.
/// </summary>
public sealed class RemoteHostFixture : IAsyncLifetime
{
    public TestLocalCloud Cloud { get; private set; } = null!;
    public DirectoryInfo Dir { get; } = Directory.CreateTempSubdirectory("drover-fleet-remote-");
    public SshKeyPair Key { get; private set; } = null!;
    public Server Server { get; private set; } = null!;
    public string? SkipReason { get; private set; }

    /// <summary>A known_hosts file of the test's own (never the user's).</summary>
    public string KnownHosts => Path.Combine(Dir.FullName, "known_hosts");

    public async ValueTask InitializeAsync()
    {
        (Cloud, SkipReason) = await TestLocalCloud.StartWithMachinesAsync(Path.Combine(Dir.FullName, "state"));
        if (SkipReason is not null)
        {
            return;
        }
        Key = await SshKeyPair.CreateAsync("fleet-remote-test");
        var client = Cloud.CreateClient();
        var key = await client.SshKeys.CreateAsync(new CreateSshKeyRequest { Name = "admin", PublicKey = Key.PublicKey });
        var created = await client.Servers.CreateAsync(new CreateServerRequest
        {
            Name = "web1",
            ServerType = "cx23",
            Image = "debian-12",
            Location = "fsn1",
            StartAfterCreate = false,
            Labels = new Dictionary<string, string> { [DroverLabels.Fleet] = "shop", [DroverLabels.Host] = "web1" },
        });
        await client.Actions.WaitAsync([created.Action, .. created.NextActions]);
        var rescue = await client.Servers.EnableRescueAsync(created.Server.Id, new EnableRescueRequest { Type = "linux64", SshKeys = [key.Id] });
        await client.Actions.WaitAsync([rescue.Action]);
        await client.Actions.WaitAsync([await client.Servers.PowerOnAsync(created.Server.Id)]);
        Server = (await client.Servers.GetAsync(created.Server.Id))!;
    }

    public void SkipUnlessMachines()
    {
        if (SkipReason is not null)
        {
            Assert.Skip(SkipReason);
        }
    }

    public HcloudClient Client() => Cloud.CreateClient(maxRetries: 2);

    public async ValueTask DisposeAsync()
    {
        await Cloud.DisposeAsync();
        Key?.Dispose();
        Dir.Delete(recursive: true);
    }
}
