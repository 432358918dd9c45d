namespace Drover.Agent;

/// <summary>The files of a NoCloud drive (volume label <c>cidata</c>), as read; a missing file is null.</summary>
/// <param name="Device">The block device (or, in tests, the fixture) the files came from.</param>
/// <param name="MetaData"><c>meta-data</c> (YAML: <c>instance-id</c>, optional <c>local-hostname</c>, <c>public-keys</c>).</param>
/// <param name="UserData"><c>user-data</c> as bytes (a cloud-config, a MIME multipart, a script).</param>
/// <param name="NetworkConfig"><c>network-config</c> (cloud-init network config version 1 or 2).</param>
internal sealed record NoCloudSeed(string Device, string? MetaData, byte[]? UserData, string? NetworkConfig)
{
    public const string MetaDataFile = "meta-data";
    public const string UserDataFile = "user-data";
    public const string NetworkConfigFile = "network-config";

    /// <summary>Reads the seed's files from a directory (a mounted drive).</summary>
    public static NoCloudSeed FromDirectory(string device, string directory)
    {
        string? Text(string name) => File.Exists(Path.Combine(directory, name)) ? File.ReadAllText(Path.Combine(directory, name)) : null;
        var userData = Path.Combine(directory, UserDataFile);
        return new NoCloudSeed(device, Text(MetaDataFile), File.Exists(userData) ? File.ReadAllBytes(userData) : null, Text(NetworkConfigFile));
    }
}
