using System.Diagnostics;
using System.Globalization;
using Drover.Core.Ssh;
using Drover.Fleet.Bootstrap;
using Drover.Fleet.Config;
using Drover.Fleet.Remote;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Labels;
using Drover.Images.Upload;
using Microsoft.Extensions.Logging;

namespace Drover.Demo;

/// <summary>What the main job did, per step and per host.</summary>
public sealed record MainJobResult(IReadOnlyList<(string Step, TimeSpan Took)> Steps, IReadOnlyList<(string Host, Server Server, FirstBootReport Report)> Hosts);

/// <summary>
/// The README's main job on the local cloud: build a Debian image with drover-agent inside, import it through a
/// rescue system, bootstrap two servers from the snapshot with user-data, let both boot for real and converge, and
/// check each over SSH with the fleet's key (hostname = server name, agent status ok). Everything it created in the
/// cloud is deleted at the end, also on failure or Ctrl-C, unless <c>keep</c>.
/// </summary>
public sealed class MainJob(MainJobOptions options)
{
    private readonly HcloudClient _client = options.Client;
    private readonly string _workDirectory = options.WorkDirectory;

    public const string FleetName = "drover-demo";
    private readonly List<(string Step, TimeSpan Took)> _steps = [];
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

    public async Task<MainJobResult> RunAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(_workDirectory);
        var run = DroverLabels.NewRunId();
        var arm = options.Architecture == Architecture.Arm;
        var agent = await Step($"find or publish drover-agent ({AgentBinary.RuntimeIdentifier(arm)})", () => AgentBinary.LocateAsync(options.Environment, Err, ct, arm));
        var image = await Step(arm
                ? "build an arm64 Debian image (mmdebstrap through qemu-user, cached root file system, GRUB for UEFI, drover-agent, secret scan)"
                : "build a Debian image (mmdebstrap, cached root file system, GRUB for BIOS and UEFI, drover-agent, secret scan)",
            () => DemoImage.BuildAsync(options.Architecture, agent, Path.Combine(_workDirectory, "image"), options.Environment, Err, ct));
        Image? snapshot = null;
        Image? cloneSnapshot = null;
        Image? deltaSnapshot = null;
        try
        {
            var upload = await Step($"upload it as a snapshot through a rescue system ({(arm ? "cax11" : "cx23")})", async () =>
            {
                var uploader = new ImageUploader(_client, options.Logging.CreateLogger<ImageUploader>(), runs: options.Runs);
                var result = await uploader.UploadAsync(new UploadOptions
                {
                    ImagePath = image,
                    ImageName = $"drover-demo-{run}",
                    Architecture = options.Architecture,
                    Description = $"drover demo Debian image, {options.Architecture} (run {run})",
                    Labels = new Dictionary<string, string> { ["os"] = "debian", ["version"] = "12", ["drover/demo"] = run },
                }, options.UploadProgress, ct);
                options.UploadDone?.Invoke();
                return result;
            });
            snapshot = upload.Snapshot;
            await Err.WriteLineAsync($"    snapshot {snapshot.Id} ({snapshot.ImageSize:0.00} GB compressed, {snapshot.DiskSize} GB disk)");
            if (options.Delta)
            {
                var second = await Step("make version 2 of the image (4 MiB of new bytes in free space at the end of its root file system) and upload it as a delta over the first (--base auto)", async () =>
                {
                    var v2 = await DemoImage.SecondVersionAsync(image, ct);
                    try
                    {
                        var uploader = new ImageUploader(_client, options.Logging.CreateLogger<ImageUploader>(), runs: options.Runs);
                        var progress = new DeltaProgress(options.UploadProgress);
                        var result = await uploader.UploadAsync(new UploadOptions
                        {
                            ImagePath = v2,
                            ImageName = $"drover-demo-{run}",
                            Base = "auto",
                            Architecture = options.Architecture,
                            // Version 1 was scanned; version 2 adds random bytes that no file holds.
                            AllowUnscanned = true,
                            Description = $"drover demo Debian image v2, {options.Architecture} (run {run})",
                            Labels = new Dictionary<string, string> { ["os"] = "debian", ["version"] = "12", ["drover/demo"] = run },
                        }, progress, ct);
                        options.UploadDone?.Invoke();
                        if (!result.Snapshot.Labels.TryGetValue(BlockLabels.Base, out var baseId) || baseId != snapshot.Id.ToString(CultureInfo.InvariantCulture))
                        {
                            throw new DemoException($"version 2 (snapshot {result.Snapshot.Id}) was not uploaded as a delta over snapshot {snapshot.Id}");
                        }
                        await Err.WriteLineAsync($"    snapshot {result.Snapshot.Id}: a delta over {snapshot.Id}, {progress.Sent / 1048576.0:0.0} MiB sent, {progress.Skipped / 1048576.0:0} MiB skipped");
                        return result.Snapshot;
                    }
                    finally
                    {
                        File.Delete(v2);
                    }
                });
                deltaSnapshot = snapshot;
                snapshot = second;
            }

            var fleet = await Step($"write the demo fleet ({(options.Hosts > 1 ? "two hosts" : "one host")} from the snapshot, structured user-data)", () => Task.FromResult(WriteFleet(snapshot.Id, run)));
            var plan = await new FleetPlanner(_client).PlanAsync(fleet, cancellationToken: ct);
            var applied = await Step($"bootstrap {(options.Hosts > 1 ? "both servers" : "the server")} and wait until {(options.Hosts > 1 ? "they run" : "it runs")}", async () =>
            {
                var result = await new FleetApplier(_client).ApplyAsync(plan, new ApplyOptions(), new Progress<BootstrapProgress>(p => Err.WriteLine($"    {p.Host}: {p.Step}")), ct);
                var failed = result.Hosts.FirstOrDefault(h => h.Error is not null);
                return failed is null ? result : throw new DemoException($"{failed.Host}: {failed.Error}");
            });
            var identity = TargetResolver.IdentityFile(fleet)!;
            var reports = await Step($"{(options.Hosts > 1 ? "both boot" : "it boots")} for real; wait for each agent over SSH with the fleet key", async () =>
            {
                var waits = applied.Hosts.Select(async h =>
                {
                    var target = new SshTarget("root", h.Server!.PublicNet.Ipv4!.Ip, 22, identity);
                    var report = await WaitForFirstBootAsync(target, h.Server.Id, ct);
                    await Err.WriteLineAsync($"    {h.Host}: hostname {report.Hostname}, agent {report.Status} in {report.AgentSeconds:0.00} s (boot to login {report.Waited.TotalSeconds:0} s)");
                    return (Host: h.Host, Server: h.Server!, Report: report);
                });
                return await Task.WhenAll(waits);
            });
            foreach (var (host, server, report) in reports)
            {
                if (report.Status != "ok" || report.Hostname != server.Name)
                {
                    throw new DemoException($"{host}: expected hostname {server.Name} and status ok, got hostname {report.Hostname} and status {report.Status} {report.Error}");
                }
            }
            var hosts = reports.Select(r => (r.Host, r.Server, r.Report)).ToList();
            if (options.SnapshotAndClone)
            {
                var (first, firstServer, _) = reports[0];
                var firstTarget = new SshTarget("root", firstServer.PublicNet.Ipv4!.Ip, 22, identity);
                var oldKey = await ReadAsync(firstTarget, "cat /etc/ssh/ssh_host_ed25519_key.pub", ct);
                cloneSnapshot = await Step($"shut {first} down and snapshot it, converged (its disk carries the agent's marker and host keys)", async () =>
                {
                    await _client.Actions.WaitAsync([await _client.Servers.ShutdownAsync(firstServer.Id, ct)], null, ct);
                    var image = await _client.Servers.CreateImageAsync(firstServer.Id, new CreateImageRequest
                    {
                        Type = "snapshot",
                        Description = $"drover demo: {first} after its first boot (run {run})",
                        Labels = new Dictionary<string, string> { ["os"] = "debian", ["drover/demo"] = run },
                    }, ct);
                    await _client.Actions.WaitAsync([image.Action], null, ct);
                    return image.Image;
                });
                var cloneFleet = WriteFleet(snapshot.Id, run, cloneSnapshot.Id);
                var clonePlan = await new FleetPlanner(_client).PlanAsync(cloneFleet, [CloneHost], cancellationToken: ct);
                var cloned = await Step($"create {CloneHost} from that snapshot: its agent must see a new instance and make it {CloneHost}", async () =>
                {
                    var result = await new FleetApplier(_client).ApplyAsync(clonePlan, new ApplyOptions(), new Progress<BootstrapProgress>(p => Err.WriteLine($"    {p.Host}: {p.Step}")), ct);
                    var server = result.Hosts.Single();
                    if (server.Error is not null)
                    {
                        throw new DemoException($"{CloneHost}: {server.Error}");
                    }
                    var target = new SshTarget("root", server.Server!.PublicNet.Ipv4!.Ip, 22, identity);
                    var report = await WaitForFirstBootAsync(target, server.Server.Id, ct);
                    var newKey = await ReadAsync(target, "cat /etc/ssh/ssh_host_ed25519_key.pub", ct);
                    await Err.WriteLineAsync($"    {CloneHost}: hostname {report.Hostname}, agent {report.Status} in {report.AgentSeconds:0.00} s; host key {(newKey == oldKey ? "SHARED with " + first : "new")}");
                    if (report.Status != "ok" || report.Hostname != CloneHost)
                    {
                        throw new DemoException($"{CloneHost}: expected hostname {CloneHost} and status ok, got hostname {report.Hostname} and status {report.Status} {report.Error}");
                    }
                    if (newKey == oldKey)
                    {
                        throw new DemoException($"{CloneHost} still has {first}'s SSH host key");
                    }
                    return (Host: CloneHost, Server: server.Server, Report: report);
                });
                hosts.Add(cloned);
            }
            return new MainJobResult(_steps, hosts);
        }
        finally
        {
            if (!options.Keep)
            {
                using var cleanup = new CancellationTokenSource(TimeSpan.FromMinutes(3));
                await Step("delete the demo servers, key and snapshot", async () =>
                {
                    await DeleteFleetAsync(cleanup.Token);
                    foreach (var image in new[] { snapshot, deltaSnapshot, cloneSnapshot }.OfType<Image>())
                    {
                        await _client.Images.DeleteAsync(image.Id, cleanup.Token);
                    }
                    return 0;
                });
            }
        }
    }

    /// <summary>Runs a command over SSH and returns its trimmed output (it must succeed).</summary>
    private async Task<string> ReadAsync(SshTarget target, string command, CancellationToken ct)
    {
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        var exit = await OpenSsh.RunAsync(target, command, null, null, stdout, stderr, new SshOptions { KnownHostsFile = options.KnownHostsFile }, ct);
        return exit == 0
            ? System.Text.Encoding.UTF8.GetString(stdout.ToArray()).Trim()
            : throw new DemoException($"{target}: '{command}' exited with {exit}: {System.Text.Encoding.UTF8.GetString(stderr.ToArray()).Trim()}");
    }

    /// <summary>The server's second serial port (the agent's marker line), from the local cloud's control API.</summary>
    /// <summary>
    /// Waits for a server's first boot over SSH (8 minutes, 20 for an emulated arm guest); when the agent fails or the wait runs out, the error carries
    /// the end of the server's serial console and what the local cloud knows of its QEMU, so that it explains itself.
    /// </summary>
    private async Task<FirstBootReport> WaitForFirstBootAsync(SshTarget target, long serverId, CancellationToken ct)
    {
        try
        {
            // An emulated arm64 guest (TCG on x86) boots several times slower than an x86 one.
            var patience = options.Architecture == Architecture.Arm ? TimeSpan.FromMinutes(20) : TimeSpan.FromMinutes(8);
            return await FirstBootWatcher.WaitAsync(target, options.KnownHostsFile, patience, TimeProvider.System, ct,
                c => ControlTextAsync($"servers/{serverId.ToString(CultureInfo.InvariantCulture)}/console?markers=true", c), serverId);
        }
        catch (DemoException e)
        {
            var id = serverId.ToString(CultureInfo.InvariantCulture);
            var console = await ControlTextAsync($"servers/{id}/console", CancellationToken.None) ?? "";
            var tail = string.Join('\n', console.Split('\n').TakeLast(40));
            var machine = await ControlTextAsync($"servers/{id}", CancellationToken.None);
            throw new DemoException($"{e.Message}\n--- server {id} in the local cloud ---\n{machine}\n--- the last lines of its serial console ---\n{tail}", e);
        }
    }

    /// <summary>A text from the local cloud's control API, or null when it does not answer.</summary>
    private async Task<string?> ControlTextAsync(string path, CancellationToken ct)
    {
        try
        {
            using var http = new HttpClient();
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _client.Options.Token);
            return await http.GetStringAsync(new Uri(_client.Options.Endpoint, "/__localcloud/" + path), ct);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private async Task DeleteFleetAsync(CancellationToken ct)
    {
        var selector = LabelSelector.Parse($"{DroverLabels.Fleet}={FleetName}");
        var actions = new List<CloudAction>();
        var addresses = new List<string>();
        await foreach (var server in _client.Servers.ListAsync(new ServerListOptions { LabelSelector = selector }, ct))
        {
            actions.Add(await _client.Servers.DeleteAsync(server.Id, ct));
            addresses.AddRange(new[] { server.PublicNet.Ipv4?.Ip, server.PublicNet.Ipv6?.Ip }.OfType<string>());
        }
        await _client.Actions.WaitAsync(actions, null, ct);
        KnownHosts.Forget(options.KnownHostsFile, addresses);
        await foreach (var key in _client.SshKeys.ListAsync(new SshKeyListOptions { LabelSelector = selector }, ct))
        {
            await _client.SshKeys.DeleteAsync(key.Id, ct);
        }
    }

    /// <summary>The host <c>--clone</c> makes from a snapshot of the first one.</summary>
    public const string CloneHost = "demo-3";

    private FleetFile WriteFleet(long snapshotId, string run, long? cloneSnapshotId = null)
    {
        var key = Path.Combine(_workDirectory, "id_ed25519");
        if (!File.Exists(key))
        {
            SshKeygen.GenerateAsync(key, "drover-demo").GetAwaiter().GetResult();
        }
        var path = Path.Combine(_workDirectory, "drover.yaml");
        File.WriteAllText(path, $"""
            # Written by 'drover demo' (run {run}).
            fleet: {FleetName}
            defaults:
              location: fsn1
              server_type: {(options.Architecture == Architecture.Arm ? "cax11" : "cx23")}
              ssh_keys:
                - name: drover-demo-{run}
                  public_key_file: id_ed25519.pub
              identity_file: id_ed25519
              labels:
                drover-demo-run: "{run}"
            images:
              demo:
                id: {snapshotId.ToString(CultureInfo.InvariantCulture)}
                labels: {"{"}os: debian{"}"}
            hosts:
              demo-1:
                role: web
                image: demo
                converge: "echo converged on $(hostname) | tee /root/converged"
            """ + (options.Hosts > 1 ? """

              demo-2:
                role: db
                image: demo
                converge: "echo converged on $(hostname) | tee /root/converged"
            """ : "") + (cloneSnapshotId is { } cloneId ? $"""

              {CloneHost}:
                role: web
                image: {cloneId.ToString(CultureInfo.InvariantCulture)}
                converge: "echo converged on $(hostname) | tee -a /root/converged"

            """ : "\n"));
        return FleetLoader.Load(path);
    }

    /// <summary>Passes progress on and keeps what the delta's write step sent and skipped.</summary>
    private sealed class DeltaProgress(IProgress<UploadProgress>? inner) : IProgress<UploadProgress>
    {
        public long Sent { get; private set; }
        public long Skipped { get; private set; }

        public void Report(UploadProgress value)
        {
            if (value.Step == "write image")
            {
                (Sent, Skipped) = (Math.Max(Sent, value.Bytes), value.SkippedBytes ?? Skipped);
            }
            inner?.Report(value);
        }
    }
}
