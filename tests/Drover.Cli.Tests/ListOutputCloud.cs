using Drover.Hcloud.Contracts;
using Drover.LocalCloud.State;
using Drover.Testing;
using Xunit;

namespace Drover.Cli.Tests;

/// <summary>
/// A local cloud on 127.0.0.1 whose every listed value is fixed, for <see cref="ListOutputTests"/>: a clock that moves
/// only when told (shared with the CLI, so ages are exact), the first server address block (198.18.0.0/24 instead of a
/// random one, so IPv4 columns keep their width), and these resources:
/// <list type="bullet">
/// <item>at 2026-01-01T00:00Z, SSH keys <c>deploy</c> (team=ops, env=prod) and <c>laptop</c> (no labels);</item>
/// <item>two days later, servers <c>web1</c> (cx23, ubuntu-24.04, fsn1; role=web, tier=edge), <c>db1</c> (cax11,
/// debian-12, nbg1; role=db) and <c>worker1</c> (cx23, IPv6 only, no labels);</item>
/// <item>three hours later, snapshots of <c>db1</c> ("db base"; os=debian, stage=test) and of <c>web1</c> (no
/// description; os=ubuntu, role=web);</item>
/// <item>and the CLI's "now" 5 minutes and 40 seconds after that.</item>
/// </list>
/// </summary>
public sealed class ListOutputCloud : IAsyncLifetime
{
    private readonly DirectoryInfo _state = Directory.CreateTempSubdirectory("drover-list-output-");

    /// <summary>The clock of the cloud and of the CLI runs.</summary>
    public ManualTimeProvider Time { get; } = new() { AutoAdvance = false };

    public TestLocalCloud Cloud { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        // A state file that fixes the address block; the reset then brings the catalog and system images back, keeping it.
        new StateStore(_state.FullName).Save(new StateDocument { AddressBlock = 0 });
        Cloud = await TestLocalCloud.StartOnLoopbackAsync(TestLocalCloud.DefaultOptions(Time) with { ActionDuration = TimeSpan.Zero, StateDirectory = _state.FullName });
        await Cloud.ControlAsync(HttpMethod.Post, "reset");
        // The client's own waits and retries (none are expected) must not move the shared clock.
        var client = Cloud.CreateClient(new ManualTimeProvider());
        var ct = TestContext.Current.CancellationToken;

        await client.SshKeys.CreateAsync(new CreateSshKeyRequest
        {
            Name = "deploy",
            PublicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINEIQMmB7ZUng3c2sUYWfgSiij6FOiOE+gX278kakWpm deploy",
            Labels = new Dictionary<string, string> { ["team"] = "ops", ["env"] = "prod" },
        }, ct);
        await client.SshKeys.CreateAsync(new CreateSshKeyRequest
        {
            Name = "laptop",
            PublicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIe47UHyt6b2BRkH/ZEOZiojfYtBJH/XOjRIUGukBYQ4 laptop",
        }, ct);
        Time.Advance(TimeSpan.FromDays(2));

        var web1 = await client.Servers.CreateAsync(new CreateServerRequest
        {
            Name = "web1",
            ServerType = "cx23",
            Image = "ubuntu-24.04",
            Location = "fsn1",
            Labels = new Dictionary<string, string> { ["role"] = "web", ["tier"] = "edge" },
        }, ct);
        var db1 = await client.Servers.CreateAsync(new CreateServerRequest
        {
            Name = "db1",
            ServerType = "cax11",
            Image = "debian-12",
            Location = "nbg1",
            Labels = new Dictionary<string, string> { ["role"] = "db" },
        }, ct);
        await client.Servers.CreateAsync(new CreateServerRequest
        {
            Name = "worker1",
            ServerType = "cx23",
            Image = "ubuntu-24.04",
            Location = "fsn1",
            PublicNet = new CreateServerPublicNet { EnableIpv4 = false, EnableIpv6 = true },
        }, ct);
        Time.Advance(TimeSpan.FromHours(3));

        await client.Servers.CreateImageAsync(db1.Server.Id, new CreateImageRequest
        {
            Description = "db base",
            Labels = new Dictionary<string, string> { ["os"] = "debian", ["stage"] = "test" },
        }, ct);
        await client.Servers.CreateImageAsync(web1.Server.Id, new CreateImageRequest
        {
            Labels = new Dictionary<string, string> { ["os"] = "ubuntu", ["role"] = "web" },
        }, ct);
        Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(40));
    }

    /// <summary>A CLI runner for this cloud, on its clock.</summary>
    public CliRunner Runner()
    {
        var cli = new CliRunner { Time = Time };
        cli.Environment["HCLOUD_ENDPOINT"] = Cloud.Endpoint.ToString();
        cli.Environment["HCLOUD_TOKEN"] = Cloud.Options.Token;
        return cli;
    }

    public async ValueTask DisposeAsync()
    {
        await Cloud.DisposeAsync();
        _state.Delete(recursive: true);
    }
}
