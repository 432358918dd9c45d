using Drover.Hcloud;
using Drover.Hcloud.Labels;
using Drover.Testing;
using Drover.Testing.Scenarios;
using Xunit;

namespace Drover.Acceptance.Tests;

/// <summary>
/// The same scenario against the local cloud (always) and against the real Hetzner Cloud (only with HCLOUD_TOKEN;
/// it creates a small server for a few minutes, which costs money). HCLOUD_ENDPOINT, TEST_LOCATION, TEST_SERVER_TYPE
/// and TEST_IMAGE override the defaults. Everything is labelled drover/test-run=&lt;run&gt; and swept afterwards.
/// </summary>
public sealed class ServerLifecycleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Scenario_passes_against_the_local_cloud()
    {
        var time = new ManualTimeProvider();
        await using var cloud = await TestLocalCloud.StartInMemoryAsync(TestLocalCloud.DefaultOptions(time));
        var client = cloud.CreateClient(time);
        var run = DroverLabels.NewRunId();

        try
        {
            await ServerLifecycleScenario.RunAsync(client, new ScenarioSettings(), run, Ct);
        }
        finally
        {
            await ServerLifecycleScenario.SweepAsync(client, run, Ct);
        }
    }

    [Fact]
    public async Task Scenario_passes_against_the_real_hetzner_cloud()
    {
        var token = Environment.GetEnvironmentVariable("HCLOUD_TOKEN");
        if (string.IsNullOrEmpty(token))
        {
            Assert.Skip("HCLOUD_TOKEN is not set: the real-cloud scenario runs only with a token (it creates a billed server)");
        }
        var endpoint = Environment.GetEnvironmentVariable("HCLOUD_ENDPOINT");
        var client = HcloudClient.Create(new HcloudClientOptions
        {
            Token = token,
            Endpoint = string.IsNullOrEmpty(endpoint) ? HcloudClientOptions.DefaultEndpoint : new Uri(endpoint),
            UserAgent = "drover-acceptance-tests",
        });
        var run = DroverLabels.NewRunId();

        try
        {
            await ServerLifecycleScenario.RunAsync(client, ScenarioSettings.FromEnvironment(), run, Ct);
        }
        finally
        {
            await ServerLifecycleScenario.SweepAsync(client, run, CancellationToken.None);
        }
    }
}
