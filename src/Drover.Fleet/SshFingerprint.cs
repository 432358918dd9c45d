using System.Security.Cryptography;

namespace Drover.Fleet;

/// <summary>The fingerprint the Hetzner API shows for an SSH key: MD5 of the key blob, colon-separated hex.</summary>
public static class SshFingerprint
{
    /// <summary>The fingerprint of an OpenSSH public key line (<c>ssh-ed25519 AAAA… comment</c>), or null if it is not one.</summary>
    public static string? Md5(string publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        var parts = publicKey.Trim().Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2)
        {
            return null;
        }
        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(parts[1]);
        }
        catch (FormatException)
        {
            return null;
        }
#pragma warning disable CA5351 // MD5 is the API's fingerprint format, not a security measure.
        var hash = MD5.HashData(blob);
#pragma warning restore CA5351
        return string.Join(':', hash.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
    }
}
