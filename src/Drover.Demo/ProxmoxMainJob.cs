using System.Diagnostics;
using System.Globalization;
using Drover.Core.Ssh;
using Drover.Fleet.Bootstrap;
using Drover.Fleet.Config;
using Drover.Fleet.Proxmox;
using Drover.Fleet.Remote;
using Drover.Hcloud.Contracts;
using Drover.Images.Proxmox;
using Drover.Proxmox;
using Microsoft.Extensions.Logging;

namespace Drover.Demo;

/// <summary>What the Proxmox main job did, per step and per host.</summary>
public sealed record ProxmoxMainJobResult(IReadOnlyList<(string Step, TimeSpan Took)> Steps, int TemplateVmId,
    IReadOnlyList<(string Host, ProxmoxHostResult Vm, FirstBootReport Report)> Hosts);

/// <summary>
/// The main job on Proxmox VE (<c>drover demo --target proxmox</c>): build the same Debian image, make a template of it,
/// bootstrap two VMs from it (demo-1 a linked clone with DHCP, demo-2 a full clone with a static address), each with
/// its user-data as a cicustom snippet on a cloud-init drive; both boot for real, drover-agent reads the NoCloud drive
/// and converges; Drover logs in to each over SSH with the fleet's key and checks hostname and agent status. The VMs,
/// snippets, template and imported image are destroyed at the end, also on failure, unless <c>keep</c>.
/// </summary>
public sealed class ProxmoxMainJob(ProxmoxMainJobOptions options)
{
    public const string FleetName = "drover-demo-pve";
    private readonly ProxmoxClient _client = options.Client;
    private readonly List<(string Step, TimeSpan Took)> _steps = [];
    private readonly List<string> _addresses = [];
    private TextWriter Err => options.Log;

    private async Task<T> Step<T>(string name, Func<Task<T>> work)
    {
        await Err.WriteLineAsync($"==> {name}");
        var sw = Stopwatch.StartNew();
        var result = await work();
        _steps.Add((name, sw.Elapsed));
        await Err.WriteLineAsync($"    {sw.Elapsed.TotalSeconds:0.0} s");
        return result;
    }

    public async Task<ProxmoxMainJobResult> RunAsync(CancellationToken ct)
    {
        var work = options.WorkDirectory;
        Directory.CreateDirectory(work);
        var agent = await Step($"find or publish drover-agent ({AgentBinary.RuntimeIdentifier(false)})", () => AgentBinary.LocateAsync(options.Environment, Err, ct, false));
        var image = await Step("build a Debian image (mmdebstrap, cached root file system, GRUB for BIOS and UEFI, drover-agent, qemu-guest-agent, secret scan)",
            () => DemoImage.BuildAsync(Architecture.X86, agent, Path.Combine(work, "image"), options.Environment, Err, ct));
        ProxmoxTemplateResult? template = null;
        ProxmoxBootstrapPlan? plan = null;
        var applier = new ProxmoxFleetApplier(_client, options.Snippets, options.Logging.CreateLogger<ProxmoxFleetApplier>());
        try
        {
            template = await Step("make a Proxmox template of it (upload as import content, a VM with serial console, guest agent and cloud-init drive, convert)", async () =>
            {
                var importer = new ProxmoxTemplateImporter(_client, options.Logging.CreateLogger<ProxmoxTemplateImporter>());
                var result = await importer.ImportAsync(new ProxmoxTemplateOptions
                {
                    ImagePath = image,
                    Node = options.Node,
                    ImportStorage = options.Storage,
                    Name = "drover-demo-debian",
                    Tags = ["drover-demo"],
                }, new Progress<string>(line => Err.WriteLine($"    {line}")), null, ct);
                await Err.WriteLineAsync($"    template {result.VmId} on {result.Node}{(result.Reused ? " (existed)" : "")}");
                return result;
            });
            var fleet = WriteFleet(template.VmId);
            plan = await new ProxmoxFleetPlanner(_client).PlanAsync(fleet, null, replace: true, ct);
            var applied = await Step("bootstrap demo-1 (linked clone, DHCP) and demo-2 (full clone, static address): snippet, clone, cloud-init drive, start", async () =>
            {
                var results = await applier.ApplyAsync(plan, 2, new Progress<BootstrapProgress>(p => Err.WriteLine($"    {p.Host}: {p.Step}")), ct);
                var failed = results.FirstOrDefault(r => r.Error is not null);
                return failed is null ? results : throw new DemoException($"{failed.Host}: {failed.Error}");
            });
            // A new VM may get an address an earlier VM had (DHCP): whatever host key was on record for it is not this VM's.
            KnownHosts.Forget(options.KnownHostsFile, [.. applied.Select(a => a.Address).OfType<string>()]);
            _addresses.AddRange(applied.Select(a => a.Address).OfType<string>());
            var identity = TargetResolver.IdentityFile(fleet)!;
            var reports = await Step("both boot for real; drover-agent reads the NoCloud drive; wait for each over SSH with the fleet key", async () =>
            {
                var waits = applied.Select(async vm =>
                {
                    var address = vm.Address ?? throw new DemoException($"{vm.Host}: no address known for VM {vm.VmId}");
                    var report = await WaitAsync(new SshTarget("root", address, 22, identity), vm.VmId!.Value, ct);
                    await Err.WriteLineAsync($"    {vm.Host}: VM {vm.VmId} at {address}, hostname {report.Hostname}, agent {report.Status} in {report.AgentSeconds:0.00} s (start to login {report.Waited.TotalSeconds:0} s)");
                    return (vm.Host, Vm: vm, Report: report);
                });
                return await Task.WhenAll(waits);
            });
            foreach (var (host, vm, report) in reports)
            {
                if (report.Status != "ok" || report.Hostname != host)
                {
                    throw new DemoException($"{host}: expected hostname {host} and status ok, got hostname {report.Hostname} and status {report.Status} {report.Error}");
                }
                var source = await ReadAsync(new SshTarget("root", vm.Address!, 22, identity), "sed -n 's/.*\"source\": *\"\\([^\"]*\\)\".*/\\1/p' /var/lib/drover/status.json", ct);
                if (source != "nocloud")
                {
                    throw new DemoException($"{host}: the agent read '{source}', not the NoCloud drive");
                }
            }
            return new ProxmoxMainJobResult(_steps, template.VmId, [.. reports]);
        }
        finally
        {
            if (!options.Keep)
            {
                await Step("destroy the demo VMs, their snippets, the template and the imported image", async () =>
                {
                    await CleanupAsync(applier, plan, template);
                    return 0;
                });
            }
        }
    }

    /// <summary>
    /// Destroys what the demo made, each step on its own time limit and failing alone (a failure is logged, never
    /// thrown: it must not hide why the demo failed): the fleet's VMs, their snippets, the template, the import volume.
    /// </summary>
    private async Task CleanupAsync(ProxmoxFleetApplier applier, ProxmoxBootstrapPlan? plan, ProxmoxTemplateResult? template)
    {
        var tag = ProxmoxFleetTags.Fleet(FleetName);
        await TryAsync("the demo VMs", async ct =>
        {
            foreach (var vm in (await _client.Cluster.ListVmsAsync(ct)).Where(v => v.Template != true && v.TagList.Contains(tag)))
            {
                await applier.DestroyAsync(vm.Node!, vm.VmId!.Value, ct, throwOnFailure: true);
            }
        });
        foreach (var host in plan?.Hosts ?? [])
        {
            await TryAsync($"{host.Host.Name}'s snippet", ct => options.Snippets.DeleteAsync(host.Node, host.Host.Proxmox!.Snippets, ProxmoxFleetApplier.SnippetFile(FleetName, host.Host.Name), ct));
        }
        KnownHosts.Forget(options.KnownHostsFile, [.. _addresses, .. (plan?.Hosts ?? []).Select(h => h.Host.Network?.Address.Split('/')[0]).OfType<string>()]);
        if (template is not null && !template.Reused)
        {
            await TryAsync($"template {template.VmId}", ct => applier.DestroyAsync(template.Node, template.VmId, ct, throwOnFailure: true));
            await TryAsync(template.ImportVolume, async ct =>
            {
                var storage = template.ImportVolume[..template.ImportVolume.IndexOf(':', StringComparison.Ordinal)];
                if (await _client.Storage.DeleteVolumeAsync(template.Node, storage, template.ImportVolume, ct) is { } upid)
                {
                    await _client.Tasks.WaitAsync(upid, TimeSpan.FromMinutes(3), cancellationToken: ct);
                }
            });
        }
    }

    private async Task TryAsync(string what, Func<CancellationToken, Task> delete)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await delete(cts.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await Err.WriteLineAsync($"    warning: could not delete {what}: {e.Message}");
        }
    }

    private async Task<FirstBootReport> WaitAsync(SshTarget target, int vmid, CancellationToken ct)
    {
        try
        {
            return await FirstBootWatcher.WaitAsync(target, options.KnownHostsFile, TimeSpan.FromMinutes(8), TimeProvider.System, ct);
        }
        catch (DemoException e) when (options.Console is { } console)
        {
            var text = await console(vmid, CancellationToken.None) ?? "";
            throw new DemoException($"{e.Message}\n--- the last lines of VM {vmid}'s serial console ---\n{string.Join('\n', text.Split('\n').TakeLast(40))}", e);
        }
    }

    private async Task<string> ReadAsync(SshTarget target, string command, CancellationToken ct)
    {
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        var exit = await OpenSsh.RunAsync(target, command, null, null, stdout, stderr, new SshOptions { KnownHostsFile = options.KnownHostsFile }, ct);
        return exit == 0
            ? System.Text.Encoding.UTF8.GetString(stdout.ToArray()).Trim()
            : throw new DemoException($"{target}: '{command}' exited with {exit}: {System.Text.Encoding.UTF8.GetString(stderr.ToArray()).Trim()}");
    }

    private FleetFile WriteFleet(int templateVmId)
    {
        var key = Path.Combine(options.WorkDirectory, "id_ed25519");
        if (!File.Exists(key))
        {
            SshKeygen.GenerateAsync(key, "drover-demo").GetAwaiter().GetResult();
        }
        var node = options.Node is { } n ? $", node: {n}" : "";
        var network = options.StaticNetwork is { } s
            ? $"\n    network: {{address: {s.Address}, gateway: {s.Gateway}, dns: [{s.Dns}]}}"
            : "";
        var path = Path.Combine(options.WorkDirectory, "drover.yaml");
        File.WriteAllText(path, $"""
            # Written by 'drover demo --target proxmox'.
            fleet: {FleetName}
            defaults:
              ssh_keys:
                - name: drover-demo
                  public_key_file: id_ed25519.pub
              identity_file: id_ed25519
            hosts:
              demo-1:
                role: web
                proxmox: {"{"}template: {templateVmId.ToString(CultureInfo.InvariantCulture)}, clone: linked, snippets: {options.Storage}{node}{"}"}
                converge: "echo converged on $(hostname) | tee /root/converged"
              demo-2:
                role: db
                proxmox: {"{"}template: {templateVmId.ToString(CultureInfo.InvariantCulture)}, clone: full, storage: {options.Storage}, snippets: {options.Storage}{node}{"}"}{network}
                converge: "echo converged on $(hostname) | tee /root/converged"

            """);
        return FleetLoader.Load(path);
    }
}
