using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Labels;
using Shouldly;

namespace Drover.Testing.Scenarios;

/// <summary>Where the scenario runs (overridable for the real cloud: TEST_LOCATION, TEST_SERVER_TYPE, TEST_IMAGE).</summary>
public sealed record ScenarioSettings(string Location = "fsn1", string ServerType = "cx23", string Image = "ubuntu-24.04")
{
    public static ScenarioSettings FromEnvironment() => new(
        Environment.GetEnvironmentVariable("TEST_LOCATION") ?? "fsn1",
        Environment.GetEnvironmentVariable("TEST_SERVER_TYPE") ?? "cx23",
        Environment.GetEnvironmentVariable("TEST_IMAGE") ?? "ubuntu-24.04");
}

/// <summary>
/// One scenario through <see cref="HcloudClient"/>, written once and run against the local cloud always and against
/// the real API when a token is given: key, server, rescue, power off, snapshot with labels, select by label,
/// relabel, delete everything. Every resource carries <c>drover/test-run=&lt;run&gt;</c>; <see cref="SweepAsync"/>
/// deletes by that label whatever a failed run left.
/// </summary>
public static class ServerLifecycleScenario
{
    public const string TestRunLabel = "drover/test-run";

    public static async Task RunAsync(HcloudClient client, ScenarioSettings settings, string run, CancellationToken ct)
    {
        var labels = new Dictionary<string, string> { [TestRunLabel] = run, [DroverLabels.CreatedBy] = "drover-tests" };
        var mine = LabelSelector.Parse($"{TestRunLabel}={run}");

        var key = await client.SshKeys.CreateAsync(new CreateSshKeyRequest { Name = $"drover-test-{run}", PublicKey = OpenSshKeys.NewRsaPublicKey($"drover-test-{run}"), Labels = labels }, ct);
        (await client.SshKeys.GetByFingerprintAsync(key.Fingerprint, ct))!.Id.ShouldBe(key.Id);

        var created = await client.Servers.CreateAsync(new CreateServerRequest
        {
            Name = $"drover-test-{run}",
            ServerType = settings.ServerType,
            Image = settings.Image,
            Location = settings.Location,
            SshKeys = [key.Id],
            Labels = labels,
            UserData = "#cloud-config\nruncmd:\n- [touch, /root/drover-test]\n",
        }, ct);
        created.RootPassword.ShouldBeNull("a server with SSH keys gets no root password");
        await client.Actions.WaitAsync([created.Action, .. created.NextActions], null, ct);

        var server = (await client.Servers.GetByNameAsync($"drover-test-{run}", ct))!;
        server.Status.ShouldBe(ServerStatus.Running);
        server.ServerType.Name.ShouldBe(settings.ServerType);
        server.Location.Name.ShouldBe(settings.Location);
        server.PublicNet.Ipv4.ShouldNotBeNull();
        (await client.Servers.ListAsync(new ServerListOptions { LabelSelector = mine }, ct).ToListAsync(ct)).Select(s => s.Id).ShouldBe([server.Id]);

        var rescue = await client.Servers.EnableRescueAsync(server.Id, new EnableRescueRequest { Type = "linux64", SshKeys = [key.Id] }, ct);
        await client.Actions.WaitAsync([rescue.Action], null, ct);
        (await client.Servers.GetAsync(server.Id, ct))!.RescueEnabled.ShouldBeTrue();

        await client.Actions.WaitAsync([await client.Servers.PowerOffAsync(server.Id, ct)], null, ct);
        (await client.Servers.GetAsync(server.Id, ct))!.Status.ShouldBe(ServerStatus.Off);

        var snapshot = await client.Servers.CreateImageAsync(server.Id, new CreateImageRequest { Type = "snapshot", Description = $"drover-test-{run}", Labels = labels }, ct);
        snapshot.Image.Name.ShouldBeNull();
        await client.Actions.WaitAsync([snapshot.Action], null, ct);
        var image = (await client.Images.GetAsync(snapshot.Image.Id, ct))!;
        image.Status.ShouldBe(ImageStatus.Available);
        image.Type.ShouldBe(ImageType.Snapshot);
        image.Architecture.ShouldBe(server.ServerType.Architecture);
        image.CreatedFrom!.Id.ShouldBe(server.Id);

        var selected = await client.Images.ListAsync(new ImageListOptions { Type = [ImageType.Snapshot], LabelSelector = mine }, ct).ToListAsync(ct);
        selected.Select(i => i.Id).ShouldBe([image.Id]);
        var relabelled = await client.Images.UpdateAsync(image.Id, new UpdateImageRequest { Labels = new Dictionary<string, string>(labels) { ["role"] = "base" } }, ct);
        relabelled.Labels["role"].ShouldBe("base");

        await client.Images.DeleteAsync(image.Id, ct);
        (await client.Images.GetAsync(image.Id, ct)).ShouldBeNull();
        await client.Actions.WaitAsync([await client.Servers.DeleteAsync(server.Id, ct)], null, ct);
        (await client.Servers.GetAsync(server.Id, ct)).ShouldBeNull();
        await client.SshKeys.DeleteAsync(key.Id, ct);
        (await client.SshKeys.GetAsync(key.Id, ct)).ShouldBeNull();
    }

    /// <summary>Deletes everything labelled with this run (servers, snapshots, keys); safe to call when nothing is left.</summary>
    public static async Task SweepAsync(HcloudClient client, string run, CancellationToken ct)
    {
        var mine = LabelSelector.Parse($"{TestRunLabel}={run}");
        var deletions = new List<CloudAction>();
        await foreach (var server in client.Servers.ListAsync(new ServerListOptions { LabelSelector = mine }, ct))
        {
            deletions.Add(await client.Servers.DeleteAsync(server.Id, ct));
        }
        await client.Actions.WaitAsync(deletions, null, ct);
        await foreach (var image in client.Images.ListAsync(new ImageListOptions { Type = [ImageType.Snapshot], LabelSelector = mine }, ct))
        {
            await client.Images.DeleteAsync(image.Id, ct);
        }
        await foreach (var key in client.SshKeys.ListAsync(new SshKeyListOptions { LabelSelector = mine }, ct))
        {
            await client.SshKeys.DeleteAsync(key.Id, ct);
        }
    }
}
