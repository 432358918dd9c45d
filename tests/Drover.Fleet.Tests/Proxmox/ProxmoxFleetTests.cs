using Drover.Fleet.Bootstrap;
using Drover.Fleet.Config;
using Drover.Fleet.Proxmox;
using Drover.LocalCloud.Hosting;
using Drover.Proxmox;
using Drover.Proxmox.Contracts;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Fleet.Tests.Proxmox;

/// <summary>
/// Fleets on Proxmox VE: <c>hosts.NAME.proxmox</c> in the loader, and bootstrap (plan, apply, idempotence,
/// needs-replace, cleanup of a failed host) against the local Proxmox VE in memory (API only: VMs "run" without QEMU).
/// </summary>
public sealed class ProxmoxFleetTests : IAsyncLifetime
{
    private readonly ConfigDir _dir = new();
    private TestLocalCloud _cloud = null!;
    private ProxmoxClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _cloud = await TestLocalCloud.StartInMemoryAsync(TestLocalCloud.DefaultOptions() with { StateDirectory = Path.Combine(_dir.Root, "state") });
        _client = _cloud.CreateProxmoxClient();
    }

    public async ValueTask DisposeAsync()
    {
        await _cloud.DisposeAsync();
        _dir.Dispose();
    }

    private const string Fleet = """
        fleet: lab
        defaults:
          ssh_keys:
            - name: admin
              public_key_file: id.pub
          domain: lab.internal
        hosts:
          web1:
            proxmox: {template: 9000}
            network: {address: 198.19.254.21/24, gateway: 198.19.254.2, dns: [198.19.254.3]}
            converge: "echo converged"
          db1:
            proxmox: {template: debian-tpl, clone: full, storage: local, cores: 2, memory: 1536, vmid: 4242}
            converge: "echo converged"
        """;

    [Fact]
    public void The_loader_reads_a_proxmox_host_and_its_defaults()
    {
        var fleet = Load(Fleet);
        var web = fleet.FindHost("web1")!.Proxmox!;
        web.ShouldBe(new ProxmoxPlacement { Template = "9000" });
        var db = fleet.FindHost("db1")!.Proxmox!;
        db.FullClone.ShouldBeTrue();
        db.Storage.ShouldBe("local");
        db.VmId.ShouldBe(4242);
        db.Cores.ShouldBe(2);
        db.Memory.ShouldBe(1536);
        db.Bridge.ShouldBe("vmbr0");
        db.Snippets.ShouldBe("local");
    }

    [Fact]
    public void Hetzner_only_keys_and_bad_values_on_a_proxmox_host_are_errors_with_their_line()
    {
        var e = Should.Throw<FleetConfigException>(() => Load("""
            fleet: lab
            hosts:
              web1:
                server_type: cx23
                proxmox: {template: 12, clone: deep, storage: local, bridge: "vm br", nodes: pve}
            """));
        var lines = e.Diagnostics.Select(d => d.ToString()).ToList();
        lines.ShouldContain(l => l.Contains(":4:5: hosts.web1.server_type: does not apply to a Proxmox host", StringComparison.Ordinal));
        lines.ShouldContain(l => l.Contains("hosts.web1.proxmox.template: '12' is neither a VMID", StringComparison.Ordinal));
        lines.ShouldContain(l => l.Contains("hosts.web1.proxmox.clone: 'deep' is not 'linked' or 'full'", StringComparison.Ordinal));
        lines.ShouldContain(l => l.Contains("hosts.web1.proxmox.storage: only applies to full clones", StringComparison.Ordinal));
        lines.ShouldContain(l => l.Contains("hosts.web1.proxmox.bridge: 'vm br' is not a Proxmox bridge name", StringComparison.Ordinal));
        lines.ShouldContain(l => l.Contains("hosts.web1.proxmox.nodes: unknown key (did you mean 'node'?)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bootstrap_clones_each_host_with_its_user_data_snippet_and_cloud_init_and_a_second_run_keeps_them()
    {
        await TemplatesAsync();
        var fleet = Load(Fleet);

        var plan = await new ProxmoxFleetPlanner(_client).PlanAsync(fleet, null, replace: false, Ct);
        plan.Hosts.Select(h => (h.Host.Name, h.Change)).ShouldBe([("web1", HostChange.Create), ("db1", HostChange.Create)], ignoreOrder: true);
        var results = await Applier().ApplyAsync(plan, cancellationToken: Ct);

        results.ShouldAllBe(r => r.Error == null);
        var web = results.Single(r => r.Host == "web1");
        web.Address.ShouldBe("198.19.254.21");
        var db = results.Single(r => r.Host == "db1");
        db.VmId.ShouldBe(4242);

        var webConfig = await _client.Qemu.GetConfigAsync("drover", web.VmId!.Value, cancellationToken: Ct);
        webConfig.Raw["cicustom"].ShouldBe("user=local:snippets/drover-lab-web1.yaml");
        webConfig.Raw["ipconfig0"].ShouldBe("ip=198.19.254.21/24,gw=198.19.254.2");
        webConfig.Raw["nameserver"].ShouldBe("198.19.254.3");
        webConfig.Raw["searchdomain"].ShouldBe("lab.internal");
        ProxmoxTags.Parse(webConfig.Raw["tags"]).ShouldContain("drover-fleet-lab");
        ProxmoxTags.Parse(webConfig.Raw["tags"]).ShouldContain("drover-host-web1");
        var dbConfig = await _client.Qemu.GetConfigAsync("drover", 4242, cancellationToken: Ct);
        dbConfig.Raw["ipconfig0"].ShouldBe("ip=dhcp");
        dbConfig.Raw["cores"].ShouldBe("2");
        dbConfig.Raw["memory"].ShouldBe("1536");

        // The snippet cicustom names is the host's rendered user-data, verbatim (dump shows what Proxmox would generate
        // without it, as real Proxmox does).
        var userData = await File.ReadAllTextAsync(Path.Combine(_cloud.Proxmox.State.Storage.Folder("snippets"), "drover-lab-web1.yaml"), Ct);
        userData.ShouldBe(plan.Hosts.Single(h => h.Host.Name == "web1").UserData);
        userData.ShouldContain("echo converged");
        (await _client.Qemu.DumpCloudInitAsync("drover", web.VmId.Value, CloudInitDumpType.Network, Ct)).ShouldContain("198.19.254.21");

        var again = await new ProxmoxFleetPlanner(_client).PlanAsync(fleet, null, replace: false, Ct);
        again.Hosts.ShouldAllBe(h => h.Change == HostChange.Keep);
        again.HasChanges.ShouldBeFalse();
    }

    [Fact]
    public async Task Changed_user_data_needs_replacement_and_replace_recreates_the_vm()
    {
        await TemplatesAsync();
        var fleet = Load(Fleet);
        await Applier().ApplyAsync(await new ProxmoxFleetPlanner(_client).PlanAsync(fleet, ["web1"], false, Ct), cancellationToken: Ct);
        var changed = Load(Fleet.Replace("echo converged", "echo again", StringComparison.Ordinal));

        var plan = await new ProxmoxFleetPlanner(_client).PlanAsync(changed, ["web1"], false, Ct);
        plan.Hosts.Single().Change.ShouldBe(HostChange.NeedsReplace);
        plan.Hosts.Single().Reasons.ShouldBe(["user-data or cloud-init settings changed"]);

        var replacing = await new ProxmoxFleetPlanner(_client).PlanAsync(changed, ["web1"], true, Ct);
        var result = (await Applier().ApplyAsync(replacing, cancellationToken: Ct)).Single();
        result.Error.ShouldBeNull();
        (await _client.Cluster.ListVmsAsync(Ct)).Count(v => v.Template != true).ShouldBe(1);
        (await _client.Qemu.GetConfigAsync("drover", result.VmId!.Value, cancellationToken: Ct)).Raw["cicustom"].ShouldBe("user=local:snippets/drover-lab-web1.yaml");
        (await File.ReadAllTextAsync(Path.Combine(_cloud.Proxmox.State.Storage.Folder("snippets"), "drover-lab-web1.yaml"), Ct)).ShouldContain("echo again");
    }

    [Fact]
    public async Task A_missing_template_and_a_storage_without_snippets_are_reported_at_their_lines_before_anything_changes()
    {
        var fleet = Load("""
            fleet: lab
            hosts:
              web1:
                proxmox: {template: 9000}
              db1:
                proxmox: {template: 9000, snippets: nas}
            """);
        var e = await Should.ThrowAsync<FleetConfigException>(() => new ProxmoxFleetPlanner(_client).PlanAsync(fleet, null, false, Ct));
        e.Diagnostics.Select(d => d.Message).ShouldContain("template 9000 does not exist on the cluster (make one with 'drover proxmox template')");
        (await _client.Cluster.ListVmsAsync(Ct)).ShouldBeEmpty();

        await TemplatesAsync();
        var e2 = await Should.ThrowAsync<FleetConfigException>(() => new ProxmoxFleetPlanner(_client).PlanAsync(fleet, null, false, Ct));
        e2.Diagnostics.Single().ToString().ShouldContain("hosts.db1.proxmox.snippets: storage 'nas' is not on node 'drover'");
    }

    [Fact]
    public async Task A_host_that_fails_after_its_clone_leaves_no_vm_and_no_snippet_and_the_others_go_on()
    {
        await TemplatesAsync();
        var fleet = Load(Fleet);
        var client = _cloud.CreateProxmoxClient(wrap: inner => new FailStartOf(inner, "4242"));
        var plan = await new ProxmoxFleetPlanner(client).PlanAsync(fleet, null, false, Ct);

        var results = await new ProxmoxFleetApplier(client, Snippets()) { AddressTimeout = TimeSpan.Zero }.ApplyAsync(plan, cancellationToken: Ct);

        results.Single(r => r.Host == "db1").Error.ShouldNotBeNull();
        results.Single(r => r.Host == "web1").Error.ShouldBeNull();
        var vms = await _client.Cluster.ListVmsAsync(Ct);
        vms.ShouldNotContain(v => v.VmId == 4242);
        File.Exists(Path.Combine(_cloud.Proxmox.State.Storage.Folder("snippets"), "drover-lab-db1.yaml")).ShouldBeFalse();
        File.Exists(Path.Combine(_cloud.Proxmox.State.Storage.Folder("snippets"), "drover-lab-web1.yaml")).ShouldBeTrue();
    }

    [Fact]
    public async Task Hosts_cloned_in_parallel_without_a_vmid_each_get_their_own()
    {
        await TemplatesAsync();
        var fleet = Load("""
            fleet: lab
            hosts:
              a1: {proxmox: {template: 9000}, converge: "true"}
              a2: {proxmox: {template: 9000}, converge: "true"}
              a3: {proxmox: {template: 9000}, converge: "true"}
              a4: {proxmox: {template: 9000}, converge: "true"}
            """);
        var results = await Applier().ApplyAsync(await new ProxmoxFleetPlanner(_client).PlanAsync(fleet, null, false, Ct), parallelism: 4, cancellationToken: Ct);

        results.ShouldAllBe(r => r.Error == null);
        results.Select(r => r.VmId).Distinct().Count().ShouldBe(4);
        (await _client.Cluster.ListVmsAsync(Ct)).Count(v => v.Template != true).ShouldBe(4);
    }

    [Fact]
    public async Task A_replacement_whose_old_vm_cannot_be_destroyed_fails_without_making_a_second_vm()
    {
        await TemplatesAsync();
        var fleet = Load(Fleet);
        var first = (await Applier().ApplyAsync(await new ProxmoxFleetPlanner(_client).PlanAsync(fleet, ["web1"], false, Ct), cancellationToken: Ct)).Single();
        var changed = Load(Fleet.Replace("echo converged", "echo again", StringComparison.Ordinal));
        var client = _cloud.CreateProxmoxClient(wrap: inner => new FailDeleteOf(inner, first.VmId!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var result = (await new ProxmoxFleetApplier(client, Snippets()) { AddressTimeout = TimeSpan.Zero }
            .ApplyAsync(await new ProxmoxFleetPlanner(client).PlanAsync(changed, ["web1"], true, Ct), cancellationToken: Ct)).Single();

        result.Error.ShouldNotBeNull();
        (await _client.Cluster.ListVmsAsync(Ct)).Where(v => v.Template != true).Select(v => v.VmId).ShouldBe([first.VmId]);
    }

    private ProxmoxFleetApplier Applier() => new(_client, Snippets()) { AddressTimeout = TimeSpan.Zero };

    private LocalSnippetStore Snippets() => new(_cloud.CreateHttpClient(), new Uri("http://localcloud.test/v1"), TestLocalCloud.DefaultToken);

    private FleetFile Load(string yaml)
    {
        _dir.Write("id.pub", ConfigDir.PublicKey + "\n").Write("drover.yaml", yaml);
        return FleetLoader.Load(_dir.FleetPath);
    }

    /// <summary>Two templates on the local node: 9000 and one named debian-tpl, both from a small raw disk.</summary>
    private async Task TemplatesAsync()
    {
        var image = Path.Combine(_dir.Root, "disk.raw");
        await File.WriteAllBytesAsync(image, new byte[1 << 20], Ct);
        await using (var file = File.OpenRead(image))
        {
            await _client.Tasks.WaitAsync(await _client.Storage.UploadAsync("drover", "local", new UploadFileRequest { Content = "import", FileName = "disk.raw" }, file, cancellationToken: Ct), cancellationToken: Ct);
        }
        foreach (var (vmid, name) in new[] { (9000, "tpl9000"), (9001, "debian-tpl") })
        {
            var settings = new VmSettings
            {
                Name = name,
                Devices = new Dictionary<string, string> { ["scsi0"] = "local:0,import-from=local:import/disk.raw", ["ide2"] = "local:cloudinit", ["net0"] = "virtio,bridge=vmbr0" },
            };
            await _client.Tasks.WaitAsync(await _client.Qemu.CreateAsync("drover", new CreateVmRequest { VmId = vmid, Settings = settings }, Ct), cancellationToken: Ct);
            await _client.Tasks.WaitAsync(await _client.Qemu.ConvertToTemplateAsync("drover", vmid, cancellationToken: Ct), cancellationToken: Ct);
        }
    }

    /// <summary>Refuses to delete one VM, as a node with a locked VM would.</summary>
    private sealed class FailDeleteOf(HttpMessageHandler inner, string vmid) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            => request.Method == HttpMethod.Delete && request.RequestUri!.AbsolutePath.EndsWith($"/qemu/{vmid}", StringComparison.Ordinal)
                ? Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.InternalServerError) { ReasonPhrase = $"VM is locked (backup)", Content = new StringContent("{\"data\":null}") })
                : base.SendAsync(request, cancellationToken);
    }

    /// <summary>Fails the start of one VM, as a node without room for it would.</summary>
    private sealed class FailStartOf(HttpMessageHandler inner, string vmid) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            => request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.EndsWith($"/qemu/{vmid}/status/start", StringComparison.Ordinal)
                ? Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.InternalServerError) { ReasonPhrase = "not enough memory", Content = new StringContent("{\"data\":null}") })
                : base.SendAsync(request, cancellationToken);
    }
}
