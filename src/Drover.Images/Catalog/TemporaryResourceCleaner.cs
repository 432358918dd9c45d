using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Labels;
using Microsoft.Extensions.Logging;

namespace Drover.Images.Catalog;

/// <summary>What a cleanup found (and deleted, unless it was a dry run).</summary>
public sealed record CleanupItem(string Kind, long Id, string Name, string Run, DateTimeOffset Created, bool Deleted);

/// <summary>
/// Deletes Drover's temporary resources (servers and SSH keys that carry both <c>drover/created-by</c> and
/// <c>drover/run</c>). Snapshots are never touched. By default only runs older than a threshold go, so a cleanup never
/// pulls the rug from under an upload that is still running; <c>run</c> picks one run whatever its age.
/// </summary>
public sealed class TemporaryResourceCleaner(HcloudClient client, ILogger logger, TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public async Task<IReadOnlyList<CleanupItem>> CleanupAsync(string? run, TimeSpan olderThan, bool dryRun, CancellationToken cancellationToken = default)
    {
        var selector = LabelSelector.Parse(run is null ? $"{DroverLabels.CreatedBy},{DroverLabels.Run}" : $"{DroverLabels.CreatedBy},{DroverLabels.Run}={run}");
        var cutoff = _time.GetUtcNow() - olderThan;
        bool Selected(DateTimeOffset created) => run is not null || created <= cutoff;

        var servers = await client.Servers.ListAsync(new ServerListOptions { LabelSelector = selector }, cancellationToken)
            .Where(s => Selected(s.Created)).ToListAsync(cancellationToken);
        var keys = await client.SshKeys.ListAsync(new SshKeyListOptions { LabelSelector = selector }, cancellationToken)
            .Where(k => Selected(k.Created)).ToListAsync(cancellationToken);
        var items = new List<CleanupItem>();
        var deletions = new List<CloudAction>();
        foreach (var s in servers)
        {
            if (!dryRun)
            {
                deletions.Add(await client.Servers.DeleteAsync(s.Id, cancellationToken));
                logger.LogInformation("deleting server {Name} ({Id})", s.Name, s.Id);
            }
            items.Add(new CleanupItem("server", s.Id, s.Name, s.Labels[DroverLabels.Run], s.Created, !dryRun));
        }
        await client.Actions.WaitAsync(deletions, null, cancellationToken);
        foreach (var k in keys)
        {
            if (!dryRun)
            {
                await client.SshKeys.DeleteAsync(k.Id, cancellationToken);
            }
            items.Add(new CleanupItem("ssh-key", k.Id, k.Name, k.Labels[DroverLabels.Run], k.Created, !dryRun));
        }
        return items;
    }
}
