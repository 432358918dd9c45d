using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Labels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Drover.Fleet.Bootstrap;

/// <summary>
/// Carries out a <see cref="BootstrapPlan"/>: uploads missing SSH keys, creates (or replaces, or relabels) servers in
/// parallel, waits for every create action with batched polling, and lists the fleet once at the end. A server whose
/// creation action fails is deleted again, so a failed host leaves nothing behind; other hosts go on.
/// </summary>
public sealed class FleetApplier
{
    private readonly HcloudClient _client;
    private readonly ILogger _logger;

    public FleetApplier(HcloudClient client, ILogger<FleetApplier>? logger = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public async Task<BootstrapResult> ApplyAsync(BootstrapPlan plan, ApplyOptions? options = null, IProgress<BootstrapProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        options ??= new ApplyOptions();
        var before = _client.RequestCount;
        var polls = new PollCounter();
        var keyIds = await EnsureKeysAsync(plan, cancellationToken);

        var results = new Dictionary<string, HostResult>(StringComparer.Ordinal);
        var pending = new List<(HostPlan Plan, Server Server, List<CloudAction> Actions)>();
        var gate = new object();

        async ValueTask Work(HostPlan host, CancellationToken ct)
        {
            try
            {
                switch (host.Change)
                {
                    case HostChange.Keep:
                    case HostChange.NeedsReplace:
                        lock (gate)
                        {
                            results[host.Host.Name] = new HostResult { Host = host.Host.Name, Change = host.Change, Server = host.Existing, Image = host.Image, Reasons = host.Reasons };
                        }
                        return;
                    case HostChange.Update:
                        var updated = await UpdateInPlaceAsync(host, polls, progress, ct);
                        lock (gate)
                        {
                            results[host.Host.Name] = new HostResult { Host = host.Host.Name, Change = host.Change, Server = updated, Image = host.Image, Reasons = host.Reasons };
                        }
                        return;
                    case HostChange.Replace:
                        var old = host.Existing!;
                        progress?.Report(new BootstrapProgress(host.Host.Name, $"deleting server {old.Id}"));
                        var deletion = await _client.Servers.DeleteAsync(old.Id, ct);
                        await WaitAsync([deletion], polls, ct);
                        break;
                }
                progress?.Report(new BootstrapProgress(host.Host.Name, "creating"));
                CreateServerResult created;
                try
                {
                    created = await CreateAsync(host, keyIds, ct);
                }
                catch (HcloudApiException e) when (e.Code == ErrorCode.UniquenessError && host.Change == HostChange.Create)
                {
                    var theirs = await FindConcurrentlyCreatedAsync(plan.Fleet.Name, host, ct);
                    if (theirs is null)
                    {
                        throw;
                    }
                    progress?.Report(new BootstrapProgress(host.Host.Name, $"created by a concurrent run (server {theirs.Id}); kept"));
                    lock (gate)
                    {
                        results[host.Host.Name] = new HostResult
                        {
                            Host = host.Host.Name,
                            Change = HostChange.Keep,
                            Server = theirs,
                            Image = host.Image,
                            CreatedByConcurrentRun = true,
                            Reasons = [.. host.Reasons, $"created by a concurrent run of this fleet (server {theirs.Id})"],
                        };
                    }
                    return;
                }
                var actions = new List<CloudAction> { created.Action };
                actions.AddRange(created.NextActions);
                if (options.Parallelism <= 1)
                {
                    await FinishAsync([(host, created.Server, actions)], results, gate, polls, progress, ct);
                }
                else
                {
                    lock (gate)
                    {
                        pending.Add((host, created.Server, actions));
                    }
                }
            }
            catch (Exception e) when (e is HcloudApiException or ActionFailedException or HttpRequestException)
            {
                _logger.LogWarning("host {Host}: {Message}", host.Host.Name, e.Message);
                lock (gate)
                {
                    results[host.Host.Name] = new HostResult { Host = host.Host.Name, Change = host.Change, Image = host.Image, Error = Describe(host, e), Reasons = host.Reasons };
                }
            }
        }

        await Parallel.ForEachAsync(plan.Hosts, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallelism), CancellationToken = cancellationToken }, Work);
        if (pending.Count > 0)
        {
            await FinishAsync(pending, results, gate, polls, progress, cancellationToken);
        }

        // One listing of the fleet gives every server's final status and addresses.
        var touched = plan.Hosts.Where(h => h.Change is HostChange.Create or HostChange.Replace && results[h.Host.Name].Error is null).ToList();
        if (touched.Count > 0)
        {
            var selector = LabelSelector.Parse($"{DroverLabels.Fleet}={plan.Fleet.Name}");
            var byId = new Dictionary<long, Server>();
            await foreach (var server in _client.Servers.ListAsync(new ServerListOptions { LabelSelector = selector }, cancellationToken))
            {
                byId[server.Id] = server;
            }
            foreach (var host in touched)
            {
                var result = results[host.Host.Name];
                if (result.Server is { } s && byId.TryGetValue(s.Id, out var listed))
                {
                    results[host.Host.Name] = result with { Server = listed };
                }
            }
        }
        return new BootstrapResult
        {
            Hosts = [.. plan.Hosts.Select(h => results[h.Host.Name])],
            Requests = _client.RequestCount - before,
            ActionPolls = polls.Count,
        };
    }

    private async Task FinishAsync(List<(HostPlan Plan, Server Server, List<CloudAction> Actions)> created, Dictionary<string, HostResult> results, object gate, PollCounter polls, IProgress<BootstrapProgress>? progress, CancellationToken cancellationToken)
    {
        var actionHost = new Dictionary<long, (HostPlan Plan, Server Server)>();
        foreach (var (plan, server, actions) in created)
        {
            progress?.Report(new BootstrapProgress(plan.Host.Name, $"waiting for server {server.Id}"));
            foreach (var action in actions)
            {
                actionHost[action.Id] = (plan, server);
            }
        }
        var failed = new Dictionary<string, string>(StringComparer.Ordinal);
        var outstanding = created.SelectMany(c => c.Actions).ToList();
        while (outstanding.Count > 0)
        {
            try
            {
                await WaitAsync(outstanding, polls, cancellationToken);
                outstanding.Clear();
            }
            catch (ActionFailedException e)
            {
                var (plan, _) = actionHost[e.Action.Id];
                failed[plan.Host.Name] = $"action {e.Action.Command} failed: {e.Action.Error?.Code}: {e.Action.Error?.Message}";
                outstanding.RemoveAll(a => actionHost[a.Id].Plan == plan);
            }
        }
        foreach (var (plan, server, _) in created)
        {
            if (failed.TryGetValue(plan.Host.Name, out var error))
            {
                // The server will never be right: delete it so the next run creates it cleanly.
                await DeleteQuietlyAsync(server.Id, plan.Host.Name, cancellationToken);
                lock (gate)
                {
                    results[plan.Host.Name] = new HostResult { Host = plan.Host.Name, Change = plan.Change, Image = plan.Image, Error = error, Reasons = plan.Reasons };
                }
                continue;
            }
            progress?.Report(new BootstrapProgress(plan.Host.Name, "running"));
            lock (gate)
            {
                results[plan.Host.Name] = new HostResult { Host = plan.Host.Name, Change = plan.Change, Server = server, Image = plan.Image, Reasons = plan.Reasons };
            }
        }
    }

    /// <summary>
    /// An update in place: labels merged (labels the file does not name stay), then the missing networks, firewalls and
    /// volumes attached one after the other (each action locks the server until it is done).
    /// </summary>
    private async Task<Server> UpdateInPlaceAsync(HostPlan host, PollCounter polls, IProgress<BootstrapProgress>? progress, CancellationToken ct)
    {
        var server = host.Existing!;
        if (host.LabelsDiffer)
        {
            progress?.Report(new BootstrapProgress(host.Host.Name, "updating labels"));
            var merged = new Dictionary<string, string>(server.Labels, StringComparer.Ordinal);
            foreach (var (k, v) in host.Labels)
            {
                merged[k] = v;
            }
            server = await _client.Servers.UpdateAsync(server.Id, new UpdateServerRequest { Labels = merged }, ct);
        }
        var attached = false;
        foreach (var network in host.AttachNetworks)
        {
            progress?.Report(new BootstrapProgress(host.Host.Name, $"attaching network {network}"));
            await WaitAsync([await _client.Servers.AttachToNetworkAsync(server.Id, new AttachToNetworkRequest { Network = network }, ct)], polls, ct);
            attached = true;
        }
        foreach (var firewall in host.ApplyFirewalls)
        {
            progress?.Report(new BootstrapProgress(host.Host.Name, $"applying firewall {firewall}"));
            var applyTo = new FirewallResource { Type = "server", Server = new ResourceId { Id = server.Id } };
            await WaitAsync(await _client.Firewalls.ApplyToResourcesAsync(firewall, new ApplyFirewallRequest { ApplyTo = [applyTo] }, ct), polls, ct);
            attached = true;
        }
        foreach (var volume in host.AttachVolumes)
        {
            progress?.Report(new BootstrapProgress(host.Host.Name, $"attaching volume {volume}"));
            await WaitAsync([await _client.Volumes.AttachAsync(volume, new AttachVolumeRequest { Server = server.Id }, ct)], polls, ct);
            attached = true;
        }
        return attached ? await _client.Servers.GetAsync(server.Id, ct) ?? server : server;
    }

    /// <summary>
    /// The server that took this host's name, if it is this fleet's server for this host (made by another bootstrap
    /// running at the same time); null when the name belongs to something else.
    /// </summary>
    private async Task<Server?> FindConcurrentlyCreatedAsync(string fleet, HostPlan host, CancellationToken ct)
    {
        var server = await _client.Servers.GetByNameAsync(host.Host.Name, ct);
        return server is not null
            && server.Labels.TryGetValue(DroverLabels.Fleet, out var f) && f == fleet
            && server.Labels.TryGetValue(DroverLabels.Host, out var h) && h == host.Host.Name
            ? server
            : null;
    }

    private async Task WaitAsync(IReadOnlyList<CloudAction> actions, PollCounter polls, CancellationToken cancellationToken)
    {
        var start = _client.RequestCount;
        try
        {
            await _client.Actions.WaitAsync(actions, null, cancellationToken);
        }
        finally
        {
            polls.Add(_client.RequestCount - start);
        }
    }

    private async Task<CreateServerResult> CreateAsync(HostPlan host, IReadOnlyList<long> keyIds, CancellationToken cancellationToken)
    {
        var request = new CreateServerRequest
        {
            Name = host.Host.Name,
            ServerType = host.ServerType.Name,
            Image = IdOrName.FromId(host.Image.Id),
            Location = host.Host.Location,
            SshKeys = keyIds.Count == 0 ? null : [.. keyIds.Select(IdOrName.FromId)],
            UserData = host.UserData,
            StartAfterCreate = true,
            Labels = host.Labels,
            Networks = host.NetworkIds.Count == 0 ? null : host.NetworkIds,
            Firewalls = host.FirewallIds.Count == 0 ? null : [.. host.FirewallIds.Select(f => new CreateServerFirewall { Firewall = f })],
            Volumes = host.VolumeIds.Count == 0 ? null : host.VolumeIds,
        };
        return await _client.Servers.CreateAsync(request, cancellationToken);
    }

    private async Task<IReadOnlyList<long>> EnsureKeysAsync(BootstrapPlan plan, CancellationToken cancellationToken)
    {
        var ids = new List<long>();
        foreach (var key in plan.SshKeys)
        {
            if (key.Existing is { } existing)
            {
                ids.Add(existing.Id);
                continue;
            }
            try
            {
                var created = await _client.SshKeys.CreateAsync(new CreateSshKeyRequest
                {
                    Name = key.Spec.Name,
                    PublicKey = key.Spec.PublicKey!,
                    Labels = new Dictionary<string, string> { [DroverLabels.CreatedBy] = FleetPlanner.CreatedBy, [DroverLabels.Fleet] = plan.Fleet.Name },
                }, cancellationToken);
                ids.Add(created.Id);
            }
            catch (HcloudApiException e) when (e.Code == ErrorCode.UniquenessError)
            {
                // Another run uploaded the same key meanwhile, or the name is taken by a different key.
                if (await _client.SshKeys.GetByFingerprintAsync(key.Fingerprint, cancellationToken) is { } raced)
                {
                    ids.Add(raced.Id);
                    continue;
                }
                throw new FleetException(
                    $"the SSH key name '{key.Spec.Name}' is taken in the project by a different key; rename it in {plan.Fleet.Path} (defaults.ssh_keys)", e);
            }
        }
        return ids;
    }

    private async Task DeleteQuietlyAsync(long serverId, string host, CancellationToken cancellationToken)
    {
        try
        {
            var action = await _client.Servers.DeleteAsync(serverId, cancellationToken);
            await _client.Actions.WaitAsync([action], null, cancellationToken);
        }
        catch (Exception e) when (e is HcloudApiException or ActionFailedException or HttpRequestException)
        {
            _logger.LogError("host {Host}: could not delete the failed server {Id}: {Message}; delete it by hand", host, serverId, e.Message);
        }
    }

    private static string Describe(HostPlan host, Exception e) => e switch
    {
        HcloudApiException { Code: var code } api when code == ErrorCode.UniquenessError =>
            $"a server named '{host.Host.Name}' already exists and is not this fleet's (it lacks {DroverLabels.Fleet}={host.Labels.GetValueOrDefault(DroverLabels.Fleet)} and {DroverLabels.Host}={host.Host.Name}; the API said: {api.Message})",
        _ => e.Message,
    };

    private sealed class PollCounter
    {
        private long _count;
        public long Count => Interlocked.Read(ref _count);
        public void Add(long n) => Interlocked.Add(ref _count, n);
    }
}
