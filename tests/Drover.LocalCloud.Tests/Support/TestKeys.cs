using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Drover.LocalCloud.Tests.Support;

/// <summary>Well-formed OpenSSH ed25519 public keys for tests, derived from a seed (same seed, same key).</summary>
public static class TestKeys
{
    public static string Ed25519(int seed, string comment = "test@drover")
    {
        const string KeyType = "ssh-ed25519";
        var key = SHA256.HashData(Encoding.UTF8.GetBytes($"drover-test-key-{seed}"));
        var blob = new byte[4 + KeyType.Length + 4 + key.Length];
        BinaryPrimitives.WriteUInt32BigEndian(blob, (uint)KeyType.Length);
        Encoding.ASCII.GetBytes(KeyType, blob.AsSpan(4));
        BinaryPrimitives.WriteUInt32BigEndian(blob.AsSpan(4 + KeyType.Length), (uint)key.Length);
        key.CopyTo(blob.AsSpan(8 + KeyType.Length));
        return $"{KeyType} {Convert.ToBase64String(blob)} {comment}";
    }
}
