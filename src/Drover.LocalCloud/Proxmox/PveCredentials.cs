using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Drover.Core.Files;

namespace Drover.LocalCloud.Proxmox;

/// <summary>
/// What clients of the local Proxmox need to trust and authenticate: the self-signed certificate of its https listener
/// (RSA 2048, for 127.0.0.1 and localhost, made once), the API token <c>root@pam!drover</c> with a lowercase-UUID
/// secret, root's password for tickets, and the key tickets are signed with. With a state directory they live under
/// <c>proxmox/</c> there (secrets and the private key 0600) and survive restarts, as does the listener's port.
/// </summary>
public sealed class PveCredentials
{
    public const string TokenId = "root@pam!drover";
    private const UnixFileMode Secret = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string? _directory;
    private readonly Lazy<X509Certificate2> _certificate;

    private PveCredentials(string? directory, string tokenSecret, string rootPassword, byte[] ticketKey, TimeProvider time)
    {
        _directory = directory;
        TokenSecret = tokenSecret;
        RootPassword = rootPassword;
        TicketKey = ticketKey;
        // Made when first needed (the listener, the fingerprint): most in-memory test clouds never need one.
        _certificate = new(() => LoadOrCreateCertificate(directory, time));
    }

    /// <summary>The token's secret: a lowercase UUID, as the npm client proxmox-api insists.</summary>
    public string TokenSecret { get; }

    /// <summary>The password of <c>root@pam</c> for <c>POST /access/ticket</c>.</summary>
    public string RootPassword { get; }

    public byte[] TicketKey { get; }

    public X509Certificate2 Certificate => _certificate.Value;

    /// <summary>The certificate's SHA-256 fingerprint as Proxmox shows it: <c>AA:BB:…</c>.</summary>
    public string Fingerprint => string.Join(':', SHA256.HashData(Certificate.RawData).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>The https port of the last run (0: none yet), so a restart keeps the endpoint where it is free.</summary>
    public int SavedPort => _directory is not null && File.Exists(PortFile(_directory))
        && int.TryParse(File.ReadAllText(PortFile(_directory)).Trim(), out var port) ? port : 0;

    /// <summary>Loads the credentials from <c>STATE/proxmox/</c>, creating what is missing; in memory without a state directory.</summary>
    public static PveCredentials LoadOrCreate(string? stateDirectory, TimeProvider time)
    {
        string? directory = null;
        if (stateDirectory is not null)
        {
            directory = Path.Combine(stateDirectory, "proxmox");
            Directory.CreateDirectory(directory);
        }
        var secret = ReadOrCreate(directory, "token-secret", () => Guid.NewGuid().ToString("D"));
        var password = ReadOrCreate(directory, "root-password", () => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
        var key = Convert.FromHexString(ReadOrCreate(directory, "ticket.key", () => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))));
        return new PveCredentials(directory, secret, password, key, time);
    }

    /// <summary>Remembers the https port for the next start.</summary>
    public void SavePort(int port)
    {
        if (_directory is not null)
        {
            AtomicFile.WriteAllText(PortFile(_directory), port.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
        }
    }

    /// <summary>Where the token secret is kept (for <c>drover local status</c>), under a state directory.</summary>
    public static string TokenSecretFile(string stateDirectory) => Path.Combine(stateDirectory, "proxmox", "token-secret");

    /// <summary>The credential files under a state directory (what a reset of the local cloud keeps), with their content.</summary>
    public static IReadOnlyDictionary<string, byte[]> Keep(string stateDirectory)
    {
        var directory = Path.Combine(stateDirectory, "proxmox");
        return _kept.Where(n => File.Exists(Path.Combine(directory, n))).ToDictionary(n => n, n => File.ReadAllBytes(Path.Combine(directory, n)));
    }

    /// <summary>Puts back what <see cref="Keep"/> read, secrets 0600: a reset local cloud keeps its token, certificate and port.</summary>
    public static void Restore(string stateDirectory, IReadOnlyDictionary<string, byte[]> files)
    {
        var directory = Path.Combine(stateDirectory, "proxmox");
        Directory.CreateDirectory(directory);
        foreach (var (name, content) in files)
        {
            AtomicFile.WriteAllBytes(Path.Combine(directory, name), content, name is "pve-ssl.pem" or "port" ? null : Secret);
        }
    }

    private static readonly string[] _kept = ["token-secret", "root-password", "ticket.key", "pve-ssl.key", "pve-ssl.pem", "port"];

    private static string PortFile(string directory) => Path.Combine(directory, "port");

    private static string ReadOrCreate(string? directory, string name, Func<string> create)
    {
        if (directory is null)
        {
            return create();
        }
        var file = Path.Combine(directory, name);
        if (File.Exists(file))
        {
            return File.ReadAllText(file).Trim();
        }
        var value = create();
        AtomicFile.WriteAllText(file, value + "\n", Secret);
        return value;
    }

    private static X509Certificate2 LoadOrCreateCertificate(string? directory, TimeProvider time)
    {
        var certFile = directory is null ? null : Path.Combine(directory, "pve-ssl.pem");
        var keyFile = directory is null ? null : Path.Combine(directory, "pve-ssl.key");
        if (certFile is not null && File.Exists(certFile) && File.Exists(keyFile))
        {
            return X509Certificate2.CreateFromPemFile(certFile, keyFile);
        }
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=drover.local, O=Drover local Proxmox VE", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var now = time.GetUtcNow();
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
        if (certFile is not null && keyFile is not null)
        {
            AtomicFile.WriteAllText(keyFile, rsa.ExportPkcs8PrivateKeyPem() + "\n", Secret);
            AtomicFile.WriteAllText(certFile, created.ExportCertificatePem() + "\n");
            return X509Certificate2.CreateFromPemFile(certFile, keyFile);
        }
        return X509Certificate2.CreateFromPem(created.ExportCertificatePem(), rsa.ExportPkcs8PrivateKeyPem());
    }
}
