using Drover.Fleet.Bootstrap;
using Drover.Fleet.Config;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Labels;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Fleet.Tests;

public sealed class BootstrapTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _time = new();
    private readonly FleetDir _dir = new();
    private TestLocalCloud _cloud = null!;
    private HcloudClient _client = null!;

    private const string Fleet = """
        fleet: shop
        defaults:
          location: fsn1
          server_type: cx23
          ssh_keys:
            - name: admin
              public_key_file: admin.pub
          labels: {env: test}
        images:
          debian: {name: debian-12}
        hosts:
          web1:
            role: web
            image: debian
          web2:
            role: web
            image: debian
          db1:
            role: db
            image: ubuntu-24.04
            server_type: cx33
        """;

    public async ValueTask InitializeAsync()
    {
        _cloud = await TestLocalCloud.StartInMemoryAsync(TestLocalCloud.DefaultOptions(_time));
        _client = _cloud.CreateClient(_time);
    }

    public async ValueTask DisposeAsync()
    {
        await _cloud.DisposeAsync();
        _dir.Dispose();
    }

    private FleetFile Load(string yaml) => FleetLoader.Load(_dir.Write(yaml));

    private async Task<(BootstrapPlan Plan, BootstrapResult Result)> BootstrapAsync(FleetFile fleet, bool replace = false, int parallelism = 16)
    {
        var plan = await new FleetPlanner(_client).PlanAsync(fleet, null, replace, TestContext.Current.CancellationToken);
        var result = await new FleetApplier(_client).ApplyAsync(plan, new ApplyOptions { Parallelism = parallelism }, null, TestContext.Current.CancellationToken);
        return (plan, result);
    }

    private async Task<List<Server>> FleetServersAsync(string fleet = "shop") =>
        await _client.Servers.ListAsync(new ServerListOptions { LabelSelector = LabelSelector.Parse($"drover/fleet={fleet}") }, TestContext.Current.CancellationToken)
            .ToListAsync(TestContext.Current.CancellationToken);

    [Fact]
    public async Task Bootstrap_creates_every_host_running_with_fleet_labels_and_one_uploaded_key()
    {
        var (plan, result) = await BootstrapAsync(Load(Fleet));

        plan.Hosts.Select(h => h.Change).ShouldAllBe(c => c == HostChange.Create);
        result.Failed.ShouldBeFalse(string.Join("; ", result.Hosts.Select(h => h.Error)));
        var servers = await FleetServersAsync();
        servers.Select(s => s.Name).Order().ShouldBe(["db1", "web1", "web2"]);
        foreach (var s in servers)
        {
            s.Status.ShouldBe(ServerStatus.Running);
            s.Labels[DroverLabels.Fleet].ShouldBe("shop");
            s.Labels[DroverLabels.Host].ShouldBe(s.Name);
            s.Labels["env"].ShouldBe("test");
            s.Labels["role"].ShouldBe(s.Name.StartsWith("web", StringComparison.Ordinal) ? "web" : "db");
        }
        servers.Single(s => s.Name == "db1").ServerType.Name.ShouldBe("cx33");
        servers.Single(s => s.Name == "db1").Image!.Name.ShouldBe("ubuntu-24.04");
        var keys = await _client.SshKeys.ListAsync(cancellationToken: TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);
        keys.Count.ShouldBe(1);
        keys[0].Fingerprint.ShouldBe(SshFingerprint.Md5(FleetDir.PublicKey));
        result.Hosts.ShouldAllBe(h => h.Server != null && h.Server.PublicNet.Ipv4 != null && h.Server.Status == ServerStatus.Running);
    }

    [Fact]
    public async Task A_second_bootstrap_plans_keep_for_every_host_and_changes_nothing()
    {
        var fleet = Load(Fleet);
        await BootstrapAsync(fleet);
        var before = await FleetServersAsync();

        var (plan, result) = await BootstrapAsync(fleet);

        plan.HasChanges.ShouldBeFalse();
        plan.Hosts.ShouldAllBe(h => h.Change == HostChange.Keep);
        result.Requests.ShouldBe(0);
        (await FleetServersAsync()).Select(s => s.Id).Order().ShouldBe(before.Select(s => s.Id).Order());
    }

    [Fact]
    public async Task The_server_gets_the_rendered_user_data()
    {
        _dir.WriteFile("web.yaml", """
            #cloud-config
            hostname: ${HOSTNAME}
            users:
              - name: ops
                ssh_authorized_keys: ${SSH_AUTHORIZED_KEYS}
            """);
        var fleet = Load(Fleet.Replace("""
              web1:
                role: web
                image: debian
            """, """
              web1:
                role: web
                image: debian
                user_data:
                  templates: [web.yaml]
            """, StringComparison.Ordinal));
        var (plan, _) = await BootstrapAsync(fleet);

        var web1 = plan.Hosts.Single(h => h.Host.Name == "web1");
        web1.UserData.ShouldContain("hostname: web1");
        web1.UserData.ShouldContain(FleetDir.PublicKey);
        var server = (await FleetServersAsync()).Single(s => s.Name == "web1");
        using var response = await _cloud.ControlAsync(HttpMethod.Get, $"servers/{server.Id}/user-data");
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldBe(web1.UserData);
        server.Labels[FleetPlanner.UserDataLabel].ShouldBe(FleetPlanner.UserDataHash(web1.UserData));
    }

    [Fact]
    public async Task Pinning_another_image_makes_the_host_need_replacement_and_only_replace_recreates_it()
    {
        await BootstrapAsync(Load(Fleet));
        await _cloud.ControlAsync(HttpMethod.Post, "seed/snapshots", """{"count": 1, "labels": {"os": "debian"}}""");
        var snapshot = (await _client.Images.ListAsync(new ImageListOptions { Type = [ImageType.Snapshot] }, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken)).Single();
        var pinned = Load(Fleet.Replace("  web1:\n    role: web\n    image: debian", $"  web1:\n    role: web\n    image: {snapshot.Id}", StringComparison.Ordinal));
        var oldWeb1 = (await FleetServersAsync()).Single(s => s.Name == "web1");

        var (plan, result) = await BootstrapAsync(pinned);

        var web1 = plan.Hosts.Single(h => h.Host.Name == "web1");
        web1.Change.ShouldBe(HostChange.NeedsReplace);
        web1.Reasons.ShouldContain(r => r.Contains($"→ {snapshot.Id}", StringComparison.Ordinal));
        plan.Hosts.Where(h => h.Host.Name != "web1").ShouldAllBe(h => h.Change == HostChange.Keep);
        result.Requests.ShouldBe(0);
        (await FleetServersAsync()).Single(s => s.Name == "web1").Id.ShouldBe(oldWeb1.Id);

        var (replacePlan, replaced) = await BootstrapAsync(pinned, replace: true);

        replacePlan.Hosts.Single(h => h.Host.Name == "web1").Change.ShouldBe(HostChange.Replace);
        replaced.Failed.ShouldBeFalse();
        var newWeb1 = (await FleetServersAsync()).Single(s => s.Name == "web1");
        newWeb1.Id.ShouldNotBe(oldWeb1.Id);
        newWeb1.Image!.Id.ShouldBe(snapshot.Id);
        (await _client.Servers.GetAsync(oldWeb1.Id, TestContext.Current.CancellationToken)).ShouldBeNull();
    }

    [Fact]
    public async Task A_selector_takes_the_most_recent_available_match_of_the_servers_architecture()
    {
        await _cloud.ControlAsync(HttpMethod.Post, "seed/snapshots", """{"count": 3, "labels": {"os": "talos", "role": "worker"}}""");
        await _cloud.ControlAsync(HttpMethod.Post, "seed/snapshots", """{"count": 2, "architecture": "arm", "labels": {"os": "talos", "role": "worker"}}""");
        await _cloud.ControlAsync(HttpMethod.Post, "seed/snapshots", """{"count": 1, "labels": {"os": "talos", "role": "controlplane"}}""");
        var all = await _client.Images.ListAsync(new ImageListOptions { Type = [ImageType.Snapshot] }, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);
        var newestX86Worker = all.Where(i => i.Labels.GetValueOrDefault("role") == "worker" && i.Architecture == Architecture.X86).MaxBy(i => (i.Created, i.Id))!;
        var newestArmWorker = all.Where(i => i.Labels.GetValueOrDefault("role") == "worker" && i.Architecture == Architecture.Arm).MaxBy(i => (i.Created, i.Id))!;

        var plan = await new FleetPlanner(_client).PlanAsync(Load("""
            fleet: talos
            defaults: {location: fsn1}
            hosts:
              w1: {image_selector: "os=talos,role=worker", server_type: cx23}
              w2: {image_selector: "os=talos,role=worker", server_type: cax11}
            """), cancellationToken: TestContext.Current.CancellationToken);

        plan.Hosts.Single(h => h.Host.Name == "w1").Image.Id.ShouldBe(newestX86Worker.Id);
        plan.Hosts.Single(h => h.Host.Name == "w2").Image.Id.ShouldBe(newestArmWorker.Id);
    }

    [Fact]
    public async Task Every_problem_against_the_cloud_is_refused_at_its_line_before_anything_is_created()
    {
        await _cloud.ControlAsync(HttpMethod.Post, "seed/snapshots", """{"count": 1, "architecture": "arm", "labels": {"os": "debian"}}""");
        var arm = (await _client.Images.ListAsync(new ImageListOptions { Type = [ImageType.Snapshot] }, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken)).Single();
        var fleet = Load($$"""
            fleet: bad
            defaults: {location: fsn1, server_type: cx23}
            images:
              pinned:
                id: {{arm.Id}}
                labels: {os: debian}
              gone: {id: 987654}
            hosts:
              a:
                image: pinned
              b:
                image: gone
              c:
                image: debian-12
                server_type: cx99
              d:
                image_selector: "os=nothing"
            """);

        var e = await Should.ThrowAsync<FleetConfigException>(() => new FleetPlanner(_client).PlanAsync(fleet, cancellationToken: TestContext.Current.CancellationToken));

        e.Diagnostics.Count.ShouldBe(4, e.Message);
        var byField = e.Diagnostics.ToDictionary(d => d.Field);
        byField["hosts.a.image"].Message.ShouldContain("is arm but server type cx23 is x86");
        byField["hosts.a.image"].Location!.Value.Line.ShouldBe(10);
        byField["images.gone.id"].Message.ShouldContain("does not exist");
        byField["images.gone.id"].Location!.Value.Line.ShouldBe(7);
        byField["hosts.c.server_type"].Message.ShouldContain("unknown server type 'cx99'");
        byField["hosts.c.server_type"].Location!.Value.Line.ShouldBe(15);
        byField["hosts.d.image_selector"].Message.ShouldContain("no available x86 image matches 'os=nothing'");
        e.Diagnostics.ShouldAllBe(d => d.ToString().StartsWith(fleet.Path + ":", StringComparison.Ordinal));
        (await _client.Servers.ListAsync(cancellationToken: TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_pinned_image_without_the_expected_labels_is_refused()
    {
        await _cloud.ControlAsync(HttpMethod.Post, "seed/snapshots", """{"count": 1, "labels": {"os": "arch"}}""");
        var snapshot = (await _client.Images.ListAsync(new ImageListOptions { Type = [ImageType.Snapshot] }, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken)).Single();
        var fleet = Load($$"""
            fleet: f
            defaults: {location: fsn1, server_type: cx23}
            images:
              base:
                id: {{snapshot.Id}}
                labels: {os: debian}
            hosts:
              a: {image: base}
            """);

        var e = await Should.ThrowAsync<FleetConfigException>(() => new FleetPlanner(_client).PlanAsync(fleet, cancellationToken: TestContext.Current.CancellationToken));

        e.Diagnostics.ShouldHaveSingleItem().Message.ShouldContain("lacks the expected label(s) os=debian");
    }

    [Fact]
    public async Task A_key_already_in_the_project_is_matched_by_fingerprint_and_not_uploaded_again()
    {
        var existing = await _client.SshKeys.CreateAsync(new CreateSshKeyRequest { Name = "someone-elses-name", PublicKey = FleetDir.PublicKey }, TestContext.Current.CancellationToken);

        var (plan, _) = await BootstrapAsync(Load(Fleet));

        plan.SshKeys.ShouldHaveSingleItem().Existing!.Id.ShouldBe(existing.Id);
        (await _client.SshKeys.ListAsync(cancellationToken: TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken)).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Label_drift_is_updated_in_place()
    {
        var fleet = Load(Fleet);
        await BootstrapAsync(fleet);
        var web2 = (await FleetServersAsync()).Single(s => s.Name == "web2");
        var labels = new Dictionary<string, string>(web2.Labels) { ["env"] = "prod", ["extra"] = "kept" };
        await _client.Servers.UpdateAsync(web2.Id, new UpdateServerRequest { Labels = labels }, TestContext.Current.CancellationToken);

        var (plan, result) = await BootstrapAsync(fleet);

        plan.Hosts.Single(h => h.Host.Name == "web2").Change.ShouldBe(HostChange.Update);
        result.Failed.ShouldBeFalse();
        var after = await _client.Servers.GetAsync(web2.Id, TestContext.Current.CancellationToken);
        after!.Labels["env"].ShouldBe("test");
        after.Labels["extra"].ShouldBe("kept");
    }

    [Fact]
    public async Task Networks_firewalls_and_volumes_added_to_the_file_are_attached_in_place_and_then_kept()
    {
        var ct = TestContext.Current.CancellationToken;
        var subnet = new CreateSubnet { Type = "cloud", NetworkZone = "eu-central", IpRange = "10.0.1.0/24" };
        var backend = await _client.Networks.CreateAsync(new CreateNetworkRequest { Name = "backend", IpRange = "10.0.0.0/16", Subnets = [subnet] }, ct);
        var storage = await _client.Networks.CreateAsync(new CreateNetworkRequest { Name = "storage", IpRange = "10.1.0.0/16", Subnets = [subnet with { IpRange = "10.1.1.0/24" }] }, ct);
        var web = (await _client.Firewalls.CreateAsync(new CreateFirewallRequest { Name = "web" }, ct)).Firewall;
        var data = await _client.Volumes.CreateAsync(new CreateVolumeRequest { Name = "data", Size = 10, Location = "fsn1" }, ct);
        await _client.Actions.WaitAsync([data.Action!], cancellationToken: ct);
        const string Host = """
            fleet: shop
            defaults: {location: fsn1, server_type: cx23}
            hosts:
              web1:
                image: debian-12
                networks: [backend]
            """;
        await BootstrapAsync(Load(Host));
        var server = (await FleetServersAsync()).Single();

        var (plan, result) = await BootstrapAsync(Load(Host.Replace("networks: [backend]", $"networks: [backend, {storage.Id}]\n    firewalls: [web]\n    volumes: [data]", StringComparison.Ordinal)));
        var after = await _client.Servers.GetAsync(server.Id, ct);
        var (again, _) = await BootstrapAsync(Load(Host.Replace("networks: [backend]", "networks: [backend, storage]\n    firewalls: [web]\n    volumes: [data]", StringComparison.Ordinal)));

        var update = plan.Hosts.ShouldHaveSingleItem();
        update.Change.ShouldBe(HostChange.Update);
        update.Reasons.ShouldBe([$"attach network {storage.Id}", $"apply firewall web ({web.Id})", $"attach volume data ({data.Volume.Id})"]);
        result.Failed.ShouldBeFalse(string.Join("; ", result.Hosts.Select(h => h.Error)));
        after!.Id.ShouldBe(server.Id, "attached in place, not replaced");
        after.PrivateNet.Select(n => n.Network).Order().ShouldBe([backend.Id, storage.Id]);
        after.PublicNet.Firewalls.Select(f => f.Id).ShouldBe([web.Id]);
        after.Volumes.ShouldBe([data.Volume.Id]);
        again.Hosts.ShouldHaveSingleItem().Change.ShouldBe(HostChange.Keep, string.Join("; ", again.Hosts[0].Reasons));
    }

    [Fact]
    public async Task A_failed_create_action_deletes_that_server_and_the_other_hosts_still_come_up()
    {
        await _cloud.ControlAsync(HttpMethod.Post, "action-faults", """{"command": "create_server", "count": 1}""");

        var (_, result) = await BootstrapAsync(Load(Fleet));

        var failed = result.Hosts.Where(h => h.Error is not null).ToList();
        failed.ShouldHaveSingleItem().Error!.ShouldContain("create_server");
        var servers = await FleetServersAsync();
        servers.Count.ShouldBe(2);
        servers.ShouldNotContain(s => s.Name == failed[0].Host);

        var (plan, retry) = await BootstrapAsync(Load(Fleet));
        plan.Hosts.Single(h => h.Change == HostChange.Create).Host.Name.ShouldBe(failed[0].Host);
        retry.Failed.ShouldBeFalse();
        (await FleetServersAsync()).Count.ShouldBe(3);
    }

    [Fact]
    public async Task A_run_that_planned_before_a_concurrent_run_created_the_hosts_keeps_them_without_errors()
    {
        // Arrange: both runs plan against an empty project, as two 'drover bootstrap' started at once do.
        var fleet = Load(Fleet);
        var first = await new FleetPlanner(_client).PlanAsync(fleet, cancellationToken: TestContext.Current.CancellationToken);
        var second = await new FleetPlanner(_client).PlanAsync(fleet, cancellationToken: TestContext.Current.CancellationToken);
        second.Hosts.ShouldAllBe(h => h.Change == HostChange.Create);
        var created = await new FleetApplier(_client).ApplyAsync(first, cancellationToken: TestContext.Current.CancellationToken);

        // Act
        var late = await new FleetApplier(_client).ApplyAsync(second, cancellationToken: TestContext.Current.CancellationToken);

        // Assert
        created.Failed.ShouldBeFalse();
        late.Failed.ShouldBeFalse(string.Join("; ", late.Hosts.Select(h => h.Error)));
        foreach (var host in late.Hosts)
        {
            host.Change.ShouldBe(HostChange.Keep);
            host.CreatedByConcurrentRun.ShouldBeTrue();
            host.Server.ShouldNotBeNull().Id.ShouldBe(created.Hosts.Single(h => h.Host == host.Host).Server!.Id);
            host.Reasons.ShouldContain(r => r.Contains("created by a concurrent run", StringComparison.Ordinal));
        }
        (await FleetServersAsync()).Count.ShouldBe(3, "no duplicates");
    }

    [Fact]
    public async Task A_name_taken_by_a_server_outside_the_fleet_fails_that_host_with_a_clear_message()
    {
        var create = await _client.Servers.CreateAsync(new CreateServerRequest { Name = "web2", ServerType = "cx23", Image = "debian-12", Location = "fsn1" }, TestContext.Current.CancellationToken);

        var (_, result) = await BootstrapAsync(Load(Fleet));

        var web2 = result.Hosts.Single(h => h.Host == "web2");
        web2.Error.ShouldNotBeNull().ShouldContain("already exists and is not this fleet's");
        result.Hosts.Where(h => h.Host != "web2").ShouldAllBe(h => h.Error == null);
        (await _client.Servers.GetAsync(create.Server.Id, TestContext.Current.CancellationToken))!.Labels.ContainsKey(DroverLabels.Fleet).ShouldBeFalse();
    }

    [Fact]
    public async Task Sequential_and_parallel_apply_reach_the_same_fleet_with_at_most_a_few_calls_per_host()
    {
        var hosts = string.Concat(Enumerable.Range(1, 30).Select(i => $"  n{i:00}: {{image: debian-12}}\n"));
        var fleet = Load($"fleet: many\ndefaults: {{location: fsn1, server_type: cx23}}\nhosts:\n{hosts}");

        var (plan, result) = await BootstrapAsync(fleet, parallelism: 8);

        result.Failed.ShouldBeFalse();
        (await FleetServersAsync("many")).Count.ShouldBe(30);
        var perHost = (double)(plan.Requests + result.Requests - result.ActionPolls) / 30;
        perHost.ShouldBeLessThanOrEqualTo(6, $"plan {plan.Requests}, apply {result.Requests}, polls {result.ActionPolls}");
    }
}
