using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Drover.Proxmox;

/// <summary>
/// The certificate check of the socket handler: a pinned fingerprint is the only check when set (a self-signed
/// certificate passes if it matches); otherwise the system's validation, unless insecure mode was chosen explicitly.
/// A refusal throws <see cref="ProxmoxTlsException"/> from the callback; <see cref="ProxmoxClient"/> unwraps it from
/// the <see cref="HttpRequestException"/> the handler wraps it in.
/// </summary>
internal static class TlsValidation
{
    public static SocketsHttpHandler CreateSocketsHandler(ProxmoxClientOptions options)
    {
        var authority = options.Endpoint.Authority;
        var handler = new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.All,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        if (options.Endpoint.Scheme == Uri.UriSchemeHttps)
        {
            handler.SslOptions.RemoteCertificateValidationCallback =
                (_, certificate, _, errors) => Check(options, authority, certificate, errors);
        }
        return handler;
    }

    public static bool Check(ProxmoxClientOptions options, string authority, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (options.Insecure)
        {
            return true;
        }
        if (certificate is null)
        {
            return false;
        }
        var presented = CertificateFingerprint.Of(certificate);
        if (options.Fingerprint is { } expected)
        {
            return presented == expected
                ? true
                : throw new ProxmoxTlsException(
                    $"the TLS certificate of {authority} has SHA-256 fingerprint {presented}, but the pinned fingerprint is {expected}: connection refused " +
                    "(if the certificate was renewed, check the new fingerprint on the node and pin that one)",
                    presented, expected);
        }
        return errors == SslPolicyErrors.None
            ? true
            : throw new ProxmoxTlsException(
                $"the TLS certificate of {authority} is not trusted ({errors}): connection refused. A Proxmox node's own certificate is " +
                $"self-signed: pin its fingerprint (this one is {presented}; compare it with `pvenode cert info` on the node) " +
                "or choose insecure mode explicitly",
                presented, null);
    }
}
