using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Drover.Proxmox;

/// <summary>
/// A SHA-256 certificate fingerprint in the form Proxmox shows (<c>AA:BB:…</c>, 32 bytes). <see cref="Parse"/> accepts
/// upper or lower case hex, with or without colons; <see cref="ToString"/> prints upper case with colons.
/// </summary>
public readonly record struct CertificateFingerprint
{
    private readonly byte[]? _bytes;

    private CertificateFingerprint(byte[] bytes) => _bytes = bytes;

    /// <summary>The 32 bytes of the SHA-256 digest of the DER certificate.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    public static CertificateFingerprint Parse(string value)
        => TryParse(value, out var fingerprint)
            ? fingerprint
            : throw new ProxmoxConfigurationException(
                $"certificate fingerprint '{value}' is not a SHA-256 fingerprint (32 bytes as hex, e.g. AB:CD:…, colons optional)");

    public static bool TryParse(string? value, out CertificateFingerprint fingerprint)
    {
        fingerprint = default;
        var hex = (value ?? "").Trim().Replace(":", "", StringComparison.Ordinal);
        if (hex.Length != 64 || !hex.All(Uri.IsHexDigit))
        {
            return false;
        }
        fingerprint = new CertificateFingerprint(Convert.FromHexString(hex));
        return true;
    }

    /// <summary>The SHA-256 fingerprint of <paramref name="certificate"/>.</summary>
    public static CertificateFingerprint Of(X509Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return new CertificateFingerprint(SHA256.HashData(certificate.GetRawCertData()));
    }

    public bool Equals(CertificateFingerprint other) => Bytes.SequenceEqual(other.Bytes);

    public override int GetHashCode() => _bytes is null ? 0 : BitConverter.ToInt32(_bytes, 0);

    public override string ToString() => _bytes is null ? "" : BitConverter.ToString(_bytes).Replace('-', ':');
}
