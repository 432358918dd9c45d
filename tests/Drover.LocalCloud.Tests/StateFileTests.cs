using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.LocalCloud.State;
using Drover.LocalCloud.Tests.Support;
using Shouldly;
using Xunit;

namespace Drover.LocalCloud.Tests;

/// <summary>
/// The local cloud's state file survives a SIGKILL in the middle of many mutations: it is written atomically, so what
/// is on disk afterwards is one whole state, readable, and the next start serves exactly it. API-only: runs anywhere.
/// </summary>
public sealed class StateFileTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_state_file_is_whole_and_served_again_after_a_sigkill_during_many_mutations()
    {
        // Arrange
        using var state = new TempDirectory();
        var dir = state.File("state");
        int created;
        await using (var cloud = await LocalCloudProcess.StartAsync(dir, "off"))
        {
            var client = HcloudClient.Create(new HcloudClientOptions { Endpoint = cloud.Endpoint, Token = cloud.Token, MaxRetries = 0 });
            // A big state (a few MB), so that each save takes long enough for the kill to land in the middle of one.
            using (var http = new HttpClient())
            {
                http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", cloud.Token);
                using var seed = await http.PostAsync(new Uri(cloud.Endpoint, "/__localcloud/seed/snapshots"), new StringContent("""{"count": 5000}""", System.Text.Encoding.UTF8, "application/json"), Ct);
                seed.EnsureSuccessStatusCode();
            }
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            var count = 0;
            // Four writers create networks and relabel them as fast as the cloud answers; each mutation rewrites state.json.
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var network = await client.Networks.CreateAsync(new CreateNetworkRequest { Name = $"w{w}-n{i}", IpRange = "10.0.0.0/16" }, stop.Token);
                    await client.Networks.UpdateAsync(network.Id, new UpdateNetworkRequest { Labels = new Dictionary<string, string> { ["writer"] = $"{w}", ["round"] = $"{i}" } }, stop.Token);
                    Interlocked.Increment(ref count);
                }
            }, stop.Token)).ToList();
            while (Volatile.Read(ref count) < 100)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10), Ct);
            }

            // Act: SIGKILL while the writers are at it.
            await cloud.KillAsync();
            await stop.CancelAsync();
            foreach (var writer in writers)
            {
                try
                {
                    await writer;
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException or HcloudApiException)
                {
                    // The cloud died under it.
                }
            }
            created = Volatile.Read(ref count);
        }

        // Assert: one whole document on disk, with at least every network whose creation was answered.
        var document = new StateStore(dir).Load().ShouldNotBeNull();
        document.Networks.Count.ShouldBeGreaterThanOrEqualTo(created);
        await using var next = await LocalCloudProcess.StartAsync(dir, "off");
        var again = HcloudClient.Create(new HcloudClientOptions { Endpoint = next.Endpoint, Token = next.Token });
        var served = await again.Networks.ListAsync(cancellationToken: Ct).Select(n => n.Id).ToListAsync(Ct);
        served.Order().ShouldBe(document.Networks.Select(n => n.Id).Order());
    }
}
