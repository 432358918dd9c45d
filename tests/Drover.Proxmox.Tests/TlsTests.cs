using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Shouldly;
using Xunit;

namespace Drover.Proxmox.Tests;

/// <summary>
/// The certificate check against a real https listener on 127.0.0.1 with a self-signed certificate made in the test:
/// a pinned fingerprint is the only check, an unpinned self-signed certificate is refused, insecure mode is explicit.
/// </summary>
public sealed class TlsTests : IAsyncLifetime
{
    private X509Certificate2 _certificate = null!;
    private WebApplication _server = null!;
    private Uri _endpoint = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _certificate = SelfSigned();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(_certificate)));
        _server = builder.Build();
        _server.MapGet("/api2/json/version", (HttpContext context) =>
            context.Request.Headers.Authorization == $"PVEAPIToken={TestClient.TokenId}={TestClient.Secret}"
                ? Results.Text("""{"data":{"version":"9.1.3","release":"9.1","repoid":"0123abcd"}}""", "application/json;charset=UTF-8")
                : Results.StatusCode(401));
        await _server.StartAsync(Ct);
        var address = _server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _endpoint = new Uri(address);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _certificate.Dispose();
    }

    [Fact]
    public async Task A_matching_pinned_fingerprint_accepts_the_self_signed_certificate()
    {
        // Arrange
        var client = Client(o => o with { Fingerprint = CertificateFingerprint.Parse(Convert.ToHexStringLower(_certificate.GetCertHash(HashAlgorithmName.SHA256))) });

        // Act
        var version = await client.Cluster.GetVersionAsync(Ct);

        // Assert
        version.Version.ShouldBe("9.1.3");
    }

    [Fact]
    public async Task A_different_pinned_fingerprint_is_refused_naming_both()
    {
        // Arrange
        var wrong = CertificateFingerprint.Parse(new string('0', 64));
        var actual = CertificateFingerprint.Of(_certificate);
        var client = Client(o => o with { Fingerprint = wrong });

        // Act
        var error = await Should.ThrowAsync<ProxmoxTlsException>(() => client.Cluster.GetVersionAsync(Ct));

        // Assert
        error.Message.ShouldContain(actual.ToString());
        error.Message.ShouldContain(wrong.ToString());
        error.Presented.ShouldBe(actual);
        error.Expected.ShouldBe(wrong);
    }

    [Fact]
    public async Task Without_a_pin_an_untrusted_certificate_is_refused_and_never_retried()
    {
        // Arrange
        var time = new Drover.Testing.ManualTimeProvider();
        var client = Client(o => o with { TimeProvider = time, MaxRetries = 3 });

        // Act
        var error = await Should.ThrowAsync<ProxmoxTlsException>(() => client.Cluster.GetVersionAsync(Ct));

        // Assert
        time.Delays.ShouldBeEmpty();
        error.Message.ShouldContain("is not trusted (RemoteCertificateChainErrors)");
        error.Message.ShouldContain(CertificateFingerprint.Of(_certificate).ToString());
        error.Expected.ShouldBeNull();
    }

    [Fact]
    public async Task Insecure_mode_accepts_any_certificate()
    {
        // Arrange
        var client = Client(o => o with { Insecure = true });

        // Act
        var version = await client.Cluster.GetVersionAsync(Ct);

        // Assert
        version.Release.ShouldBe("9.1");
    }

    private ProxmoxClient Client(Func<ProxmoxClientOptions, ProxmoxClientOptions> configure)
        => ProxmoxClient.Create(configure(new ProxmoxClientOptions
        {
            Endpoint = _endpoint,
            ApiToken = new ProxmoxApiToken(TestClient.TokenId, TestClient.Secret),
            MaxRetries = 0,
        }));

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=pve.drover.test", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }
}
