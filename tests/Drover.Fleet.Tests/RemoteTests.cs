using System.Text;
using Drover.Core.Ssh;
using Drover.Fleet.Config;
using Drover.Fleet.Remote;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Fleet.Tests;

/// <summary>Update and secrets sync over real SSH, against a rescue system of the local cloud.</summary>
[MachineTier]
public sealed class RemoteTests(RemoteHostFixture host) : IClassFixture<RemoteHostFixture>, IDisposable
{
    private readonly FleetDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string RemoteRoot => Path.Combine(host.Dir.FullName, "remote-" + Guid.NewGuid().ToString("n")[..8]);

    private FleetFile Fleet(string converge, string secretsPath) => FleetLoader.Load(_dir.Write($"""
        fleet: shop
        defaults:
          location: fsn1
          server_type: cx23
          identity_file: {host.Key.PrivateKeyFile}
        hosts:
          web1:
            image: debian-12
            converge: "{converge}"
            secrets_path: {secretsPath}
        """));

    private async Task<(int Exit, string Stdout, string Stderr)> RunAsync(SshTarget target, string command)
    {
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        var exit = await OpenSsh.RunAsync(target, command, null, null, stdout, stderr, new SshOptions { KnownHostsFile = host.KnownHosts }, TestContext.Current.CancellationToken);
        return (exit, Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()));
    }

    [Fact]
    public async Task The_target_is_found_by_fleet_and_host_labels_and_the_converge_output_and_exit_code_come_back()
    {
        host.SkipUnlessMachines();
        var fleet = Fleet("echo converging $(hostname -s) >&2; echo done; exit 3", "/tmp/unused");
        var web1 = fleet.FindHost("web1")!;

        var target = await TargetResolver.ResolveAsync(fleet, web1, null, _ => Task.FromResult(host.Client()), cancellationToken: TestContext.Current.CancellationToken);
        var (exit, stdout, stderr) = await RunAsync(target, web1.EffectiveConverge!);

        target.ToString().ShouldBe($"root@{host.Server.PublicNet.Ipv4!.Ip}");
        target.IdentityFile.ShouldBe(host.Key.PrivateKeyFile);
        exit.ShouldBe(3, stderr);
        stdout.ShouldBe("done\n");
        stderr.ShouldStartWith("converging ");
    }

    [Fact]
    public async Task A_host_without_a_server_asks_for_bootstrap_or_a_target()
    {
        host.SkipUnlessMachines();
        var fleet = FleetLoader.Load(_dir.Write("""
            fleet: other
            defaults: {location: fsn1, server_type: cx23}
            hosts:
              web9: {image: debian-12}
            """));

        var e = await Should.ThrowAsync<FleetException>(() => TargetResolver.ResolveAsync(fleet, fleet.FindHost("web9")!, null, _ => Task.FromResult(host.Client()), cancellationToken: TestContext.Current.CancellationToken));

        e.Message.ShouldContain("drover bootstrap");
    }

    [Fact]
    public async Task Secrets_sync_delivers_the_bundle_verified_and_a_second_sync_swaps_it_atomically()
    {
        host.SkipUnlessMachines();
        var remote = Path.Combine(RemoteRoot, "secrets");
        var fleet = Fleet("true", remote);
        var web1 = fleet.FindHost("web1")!;
        _dir.WriteFile("secrets/web1/app.env.age", "age-encrypted-bytes-1");
        _dir.WriteFile("secrets/web1/tls/key.pem.age", "age-encrypted-bytes-2");
        var target = SshTarget.Parse($"root@{host.Server.PublicNet.Ipv4!.Ip}", identityFile: host.Key.PrivateKeyFile);

        var first = await SecretsSync.SyncAsync(fleet, web1, target, host.KnownHosts, TestContext.Current.CancellationToken);

        first.Files.Select(f => f.RelativePath).ShouldBe(["app.env.age", "tls/key.pem.age"]);
        var (exit, listing, err) = await RunAsync(target, $"cd {remote} && cat app.env.age tls/key.pem.age && stat -c '%a' . app.env.age && readlink {remote}");
        exit.ShouldBe(0, err);
        listing.ShouldStartWith("age-encrypted-bytes-1age-encrypted-bytes-2700\n400\n");
        listing.ShouldContain($".secrets.{first.BundleSha256[..16]}");

        File.WriteAllText(Path.Combine(_dir.Root, "secrets/web1/app.env.age"), "age-encrypted-bytes-3");
        File.Delete(Path.Combine(_dir.Root, "secrets/web1/tls/key.pem.age"));
        var second = await SecretsSync.SyncAsync(fleet, web1, target, host.KnownHosts, TestContext.Current.CancellationToken);

        second.BundleSha256.ShouldNotBe(first.BundleSha256);
        var (exit2, after, err2) = await RunAsync(target, $"cat {remote}/app.env.age; ls -A {remote}; ls -A {Path.GetDirectoryName(remote)}");
        exit2.ShouldBe(0, err2);
        after.ShouldStartWith("age-encrypted-bytes-3");
        after.ShouldNotContain("tls");
        // Only the current version remains beside the symlink.
        after.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.StartsWith(".secrets.", StringComparison.Ordinal)).ShouldBe(1);
    }

    [Fact]
    public async Task A_corrupted_transfer_is_refused_and_the_current_bundle_stays()
    {
        host.SkipUnlessMachines();
        var remote = Path.Combine(RemoteRoot, "secrets");
        var fleet = Fleet("true", remote);
        var web1 = fleet.FindHost("web1")!;
        _dir.WriteFile("secrets/web1/app.env.age", "good");
        var target = SshTarget.Parse($"root@{host.Server.PublicNet.Ipv4!.Ip}", identityFile: host.Key.PrivateKeyFile);
        await SecretsSync.SyncAsync(fleet, web1, target, host.KnownHosts, TestContext.Current.CancellationToken);

        // A manifest that does not match what is sent: the host must refuse before swapping.
        var files = SecretsSync.Inventory(SecretsSync.BundleDirectory(fleet, "web1"));
        var lying = files.Select(f => f with { Sha256 = new string('0', 64) }).ToList();
        var script = SecretsSync.RemoteScript(remote, lying, SecretsSync.BundleDigest(lying));
        using var tar = new MemoryStream();
        await SecretsSync.WriteTarAsync(SecretsSync.BundleDirectory(fleet, "web1"), files, tar, TestContext.Current.CancellationToken);
        tar.Position = 0;
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        var exit = await OpenSsh.RunAsync(target, "sh -c " + Drover.Core.Text.ShellQuote.Quote(script), tar, null, stdout, stderr, new SshOptions { KnownHostsFile = host.KnownHosts }, TestContext.Current.CancellationToken);

        exit.ShouldBe(65, Encoding.UTF8.GetString(stderr.ToArray()));
        var (_, content, _) = await RunAsync(target, $"cat {remote}/app.env.age; echo; ls -A {Path.GetDirectoryName(remote)}");
        content.ShouldStartWith("good");
        content.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.StartsWith(".secrets.", StringComparison.Ordinal)).ShouldBe(1);
    }
}
