using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Drover.Testing.Scenarios;

/// <summary>Makes OpenSSH-format public keys without ssh-keygen (RSA, as the BCL has no ed25519).</summary>
public static class OpenSshKeys
{
    /// <summary>A fresh <c>ssh-rsa AAAA... comment</c> line; the private half is discarded.</summary>
    public static string NewRsaPublicKey(string comment)
    {
        using var rsa = RSA.Create(2048);
        var p = rsa.ExportParameters(includePrivateParameters: false);
        using var blob = new MemoryStream();
        WriteString(blob, Encoding.ASCII.GetBytes("ssh-rsa"));
        WriteString(blob, Mpint(p.Exponent!));
        WriteString(blob, Mpint(p.Modulus!));
        return $"ssh-rsa {Convert.ToBase64String(blob.ToArray())} {comment}";
    }

    private static byte[] Mpint(byte[] unsignedBigEndian)
    {
        var trimmed = unsignedBigEndian.SkipWhile(b => b == 0).ToArray();
        return trimmed.Length > 0 && (trimmed[0] & 0x80) != 0 ? [0, .. trimmed] : trimmed;
    }

    private static void WriteString(Stream stream, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        stream.Write(length);
        stream.Write(data);
    }
}
