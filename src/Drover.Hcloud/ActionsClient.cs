using Drover.Hcloud.Contracts;
using static Drover.Hcloud.Contracts.HcloudJsonContext;

namespace Drover.Hcloud;

/// <summary><c>/actions</c>: get one, and wait for many.</summary>
public sealed class ActionsClient
{
    /// <summary>How many IDs one <c>GET /actions?id=…</c> poll asks for.</summary>
    public const int PollBatchSize = 25;

    private readonly HcloudClient _client;

    internal ActionsClient(HcloudClient client) => _client = client;

    public async Task<CloudAction?> GetAsync(long id, CancellationToken cancellationToken = default)
        => (await _client.GetOrNullAsync($"actions/{id}", Default.ActionResponse, cancellationToken))?.Action;

    /// <summary>
    /// Waits until every action has finished, polling <c>GET /actions?id=…</c> in batches of
    /// <see cref="PollBatchSize"/> with backoff. Reports each poll's view of every action through
    /// <paramref name="progress"/>. Throws <see cref="ActionFailedException"/> on the first failed action and
    /// <see cref="InvalidOperationException"/> for an ID the API does not know.
    /// </summary>
    public async Task WaitAsync(IEnumerable<CloudAction> actions, IProgress<CloudAction>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actions);
        var pending = new List<long>();
        foreach (var action in actions)
        {
            if (action.Status == ActionStatus.Error)
            {
                throw new ActionFailedException(action);
            }
            if (action.Status != ActionStatus.Success)
            {
                pending.Add(action.Id);
            }
        }
        pending = [.. pending.Distinct()];
        var options = _client.Options;
        var delay = options.PollInterval;
        var waited = TimeSpan.Zero;
        while (pending.Count > 0)
        {
            await Task.Delay(delay, options.TimeProvider, cancellationToken);
            waited += delay;
            var stillRunning = new List<long>();
            foreach (var batch in pending.Chunk(PollBatchSize))
            {
                var query = new Query().AddMany("id", batch.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                var response = await _client.SendRequiredAsync(HttpMethod.Get, query.Apply("actions"), null, Default.ActionsResponse, cancellationToken);
                var byId = response.Actions.ToDictionary(a => a.Id);
                var missing = batch.Where(i => !byId.ContainsKey(i)).ToList();
                if (missing.Count > 0)
                {
                    throw new InvalidOperationException($"the API does not know action(s) {string.Join(", ", missing)}");
                }
                foreach (var id in batch)
                {
                    var action = byId[id];
                    progress?.Report(action);
                    if (action.Status == ActionStatus.Error)
                    {
                        throw new ActionFailedException(action);
                    }
                    if (action.Status != ActionStatus.Success)
                    {
                        stillRunning.Add(id);
                    }
                }
            }
            pending = stillRunning;
            if (waited >= options.PollSteadyFor)
            {
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * options.PollBackoffFactor, options.PollIntervalMax.TotalMilliseconds));
            }
        }
    }
}
