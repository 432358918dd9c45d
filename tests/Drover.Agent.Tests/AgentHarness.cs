using Xunit;

namespace Drover.Agent.Tests;

/// <summary>Runs the agent in-process against a root and a metadata URL, with short retry delays.</summary>
internal static class AgentHarness
{
    /// <summary>
    /// Runs the agent; <paramref name="configure"/> adjusts the options (a <c>ManualTimeProvider</c> as its clock, the
    /// agent's own timeout and retry delays).
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(TempRoot root, Uri metadataUrl, bool force = false, Func<AgentOptions, AgentOptions>? configure = null)
    {
        var options = new AgentOptions
        {
            MetadataUrl = metadataUrl,
            Root = root.Path,
            Force = force,
            Timeout = TimeSpan.FromSeconds(60),
            InitialRetryDelay = TimeSpan.FromMilliseconds(10),
            MaxRetryDelay = TimeSpan.FromMilliseconds(50),
        };
        var output = new StringWriter();
        var exitCode = await AgentProgram.RunAsync(configure?.Invoke(options) ?? options, output, TestContext.Current.CancellationToken);
        TestContext.Current.TestOutputHelper?.WriteLine(output.ToString());
        return (exitCode, output.ToString());
    }
}
