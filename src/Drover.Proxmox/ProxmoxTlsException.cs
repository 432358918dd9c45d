namespace Drover.Proxmox;

/// <summary>The server's TLS certificate was refused: it does not match the pinned fingerprint, or it is not trusted.</summary>
public sealed class ProxmoxTlsException : Drover.Core.DroverException
{
    public ProxmoxTlsException(string message, CertificateFingerprint presented, CertificateFingerprint? expected)
        : base(message)
    {
        Presented = presented;
        Expected = expected;
    }

    /// <summary>The fingerprint of the certificate the server presented.</summary>
    public CertificateFingerprint Presented { get; }

    /// <summary>The pinned fingerprint, if one was set.</summary>
    public CertificateFingerprint? Expected { get; }
}
