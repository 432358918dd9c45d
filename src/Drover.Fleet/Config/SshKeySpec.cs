namespace Drover.Fleet.Config;

/// <summary>An SSH key the fleet's servers get: uploaded once, matched by fingerprint.</summary>
public sealed record SshKeySpec
{
    /// <summary>The key's name in the cloud when Drover has to upload it.</summary>
    public required string Name { get; init; }

    /// <summary>The public key in OpenSSH format; set from <c>public_key</c> or read from <c>public_key_file</c>.</summary>
    public string? PublicKey { get; init; }

    /// <summary>A path to a <c>.pub</c> file, relative to the fleet file; <c>~</c> expands to the home directory.</summary>
    public string? PublicKeyFile { get; init; }
}
