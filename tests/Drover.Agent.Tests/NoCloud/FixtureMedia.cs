namespace Drover.Agent.Tests.NoCloud;

/// <summary>A NoCloud "drive" that is a fixture directory: found once <see cref="AppearAfter"/> searches have come up empty.</summary>
internal sealed class FixtureMedia(string? directory) : INoCloudMedia
{
    public const string Device = "/dev/fixture-cidata";

    public int AppearAfter { get; init; }

    public int Finds { get; private set; }

    public int Reads { get; private set; }

    public Task<string?> FindAsync(CancellationToken cancellationToken)
    {
        Finds++;
        return Task.FromResult(directory is not null && Finds > AppearAfter ? Device : null);
    }

    public Task<NoCloudSeed> ReadAsync(string device, CancellationToken cancellationToken)
    {
        Reads++;
        return Task.FromResult(NoCloudSeed.FromDirectory(device, directory!));
    }
}
