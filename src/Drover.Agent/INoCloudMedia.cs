namespace Drover.Agent;

/// <summary>Where a NoCloud drive is found and read: block devices on a real system, a fixture directory in tests.</summary>
internal interface INoCloudMedia
{
    /// <summary>The device of a drive labelled <c>cidata</c> or <c>CIDATA</c>, or null when there is none.</summary>
    Task<string?> FindAsync(CancellationToken cancellationToken);

    /// <summary>The drive's files: read where it is mounted already, else mounted read-only for the read and unmounted.</summary>
    Task<NoCloudSeed> ReadAsync(string device, CancellationToken cancellationToken);
}
