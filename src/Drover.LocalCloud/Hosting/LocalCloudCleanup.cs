namespace Drover.LocalCloud.Hosting;

/// <summary>What <c>drover local down</c> or <c>reset</c> did: whether a cloud ran, what the sweep removed and could not.</summary>
public sealed record LocalCloudCleanup(bool WasRunning, int Removed, IReadOnlyList<string> Problems)
{
    public bool Clean => Problems.Count == 0;
}
