using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Labels;
using Drover.Images.Runs;
using Drover.Images.Upload;
using Microsoft.Extensions.Logging;

namespace Drover.Images.Catalog;

/// <summary>What a cleanup found (and deleted, unless it was a dry run), and why it counted as left over.</summary>
public sealed record CleanupItem(string Kind, long Id, string Name, string Run, DateTimeOffset Created, bool Deleted, string Why = "");

/// <summary>
/// Deletes Drover's temporary resources (servers and SSH keys that carry both <c>drover/created-by</c> and
/// <c>drover/run</c>). Snapshots are never touched: an upload takes one only of a disk whose sha256 it verified.
/// A run counts as left over when this machine's <see cref="RunLedger"/> knows it ended without cleaning up (killed,
/// crashed: whatever its age), or when it is older than a threshold and not running here; a run that is alive on this
/// machine is never touched. <c>run</c> picks one run whatever its age.
/// </summary>
public sealed class TemporaryResourceCleaner(HcloudClient client, ILogger logger, TimeProvider? timeProvider = null, RunLedger? ledger = null)
{
    private static readonly TimeSpan _lockedWait = TimeSpan.FromMinutes(5);
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public async Task<IReadOnlyList<CleanupItem>> CleanupAsync(string? run, TimeSpan olderThan, bool dryRun, CancellationToken cancellationToken = default)
    {
        if (run is not null && ledger?.IsAlive(run) == true)
        {
            throw new UploadException("cleanup", $"run {run} is still running on this machine; its own cleanup removes what it made when it ends");
        }
        var dead = (ledger?.DeadRuns() ?? []).ToDictionary(r => r.Run, StringComparer.Ordinal);
        var cutoff = _time.GetUtcNow() - olderThan;
        string? Why(string itemRun, DateTimeOffset created)
        {
            if (run is not null)
            {
                return itemRun == run ? "asked for (--run)" : null;
            }
            if (dead.TryGetValue(itemRun, out var record))
            {
                return $"its {record.What} (pid {record.Pid}) ended without cleaning up";
            }
            return created <= cutoff && ledger?.IsAlive(itemRun) != true ? $"older than {olderThan}" : null;
        }
        var items = await CleanupWhereAsync(run, Why, dryRun, cancellationToken);
        if (!dryRun && run is null)
        {
            // This cloud has nothing of them left: forget them (and their local key pairs).
            foreach (var id in dead.Keys)
            {
                ledger!.Forget(id);
            }
        }
        else if (!dryRun && run is not null && dead.ContainsKey(run))
        {
            ledger!.Forget(run);
        }
        return items;
    }

    /// <summary>Only what this machine's runs left when they ended without cleaning up (what the next upload sweeps first).</summary>
    public async Task<IReadOnlyList<CleanupItem>> CleanupDeadRunsAsync(CancellationToken cancellationToken = default)
    {
        var dead = (ledger?.DeadRuns() ?? []).ToDictionary(r => r.Run, StringComparer.Ordinal);
        if (dead.Count == 0)
        {
            return [];
        }
        var items = await CleanupWhereAsync(null, (r, _) => dead.TryGetValue(r, out var record) ? $"its {record.What} (pid {record.Pid}) ended without cleaning up" : null, false, cancellationToken);
        foreach (var id in dead.Keys)
        {
            ledger!.Forget(id);
        }
        return items;
    }

    private async Task<IReadOnlyList<CleanupItem>> CleanupWhereAsync(string? run, Func<string, DateTimeOffset, string?> why, bool dryRun, CancellationToken cancellationToken)
    {
        var selector = LabelSelector.Parse(run is null ? $"{DroverLabels.CreatedBy},{DroverLabels.Run}" : $"{DroverLabels.CreatedBy},{DroverLabels.Run}={run}");
        var servers = await client.Servers.ListAsync(new ServerListOptions { LabelSelector = selector }, cancellationToken)
            .Select(s => (Server: s, Why: why(s.Labels[DroverLabels.Run], s.Created))).Where(s => s.Why is not null).ToListAsync(cancellationToken);
        var keys = await client.SshKeys.ListAsync(new SshKeyListOptions { LabelSelector = selector }, cancellationToken)
            .Select(k => (Key: k, Why: why(k.Labels[DroverLabels.Run], k.Created))).Where(k => k.Why is not null).ToListAsync(cancellationToken);
        var items = new List<CleanupItem>();
        var deletions = new List<CloudAction>();
        foreach (var (s, reason) in servers)
        {
            if (!dryRun)
            {
                deletions.Add(await DeleteServerAsync(s, cancellationToken));
                logger.LogInformation("deleting server {Name} ({Id}): {Why}", s.Name, s.Id, reason);
            }
            items.Add(new CleanupItem("server", s.Id, s.Name, s.Labels[DroverLabels.Run], s.Created, !dryRun, reason!));
        }
        await client.Actions.WaitAsync(deletions, null, cancellationToken);
        foreach (var (k, reason) in keys)
        {
            if (!dryRun)
            {
                try
                {
                    await client.SshKeys.DeleteAsync(k.Id, cancellationToken);
                }
                catch (HcloudApiException e) when (e.Code == ErrorCode.NotFound)
                {
                    // Gone meanwhile (its run's own cleanup was first).
                }
            }
            items.Add(new CleanupItem("ssh-key", k.Id, k.Name, k.Labels[DroverLabels.Run], k.Created, !dryRun, reason!));
        }
        return items;
    }

    /// <summary>
    /// Deletes a server; while an action of its own locks it (a snapshot being taken when its run was killed), waits
    /// for that action to end first: the snapshot is kept, the server goes.
    /// </summary>
    private async Task<CloudAction> DeleteServerAsync(Server server, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            try
            {
                return await client.Servers.DeleteAsync(server.Id, cancellationToken);
            }
            catch (HcloudApiException e) when (e.Code == ErrorCode.Locked && _time.GetElapsedTime(started) < _lockedWait)
            {
                logger.LogInformation("server {Name} ({Id}) is locked by a running action; waiting before deleting it", server.Name, server.Id);
                await Task.Delay(TimeSpan.FromSeconds(2), _time, cancellationToken);
            }
        }
    }
}
