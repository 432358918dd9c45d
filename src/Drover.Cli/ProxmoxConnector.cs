using Drover.Core.Ssh;
using Drover.LocalCloud.Hosting;
using Drover.Proxmox;
using Drover.Proxmox.Snippets;

namespace Drover.Cli;

/// <summary>Which Proxmox VE a command talks to, and how that was decided (never shows a secret).</summary>
public sealed record ProxmoxTarget(ProxmoxClientOptions Options, string Node, string Source)
{
    /// <summary>For the local Proxmox VE: the local cloud's endpoint and token (its control API writes snippets).</summary>
    internal (Uri Endpoint, string Token)? LocalCloud { get; init; }

    public override string ToString() => $"ProxmoxTarget {{ {Options}, Node = {Node}, Source = {Source} }}";
}

/// <summary>
/// Resolves the Proxmox VE to talk to: <c>--proxmox-endpoint</c> or <c>PROXMOX_ENDPOINT</c> with
/// <c>PROXMOX_TOKEN</c> (<c>USER@REALM!TOKENID=SECRET</c>) or <c>PROXMOX_USER</c> + <c>PROXMOX_PASSWORD</c>, trusted by
/// <c>PROXMOX_FINGERPRINT</c> (pinned SHA-256), the system's CAs, or <c>PROXMOX_INSECURE=1</c>; with no endpoint, the
/// local Proxmox VE of the local cloud (started on demand), pinned to its own certificate.
/// </summary>
public sealed class ProxmoxConnector(DroverPaths paths, CliIO io)
{
    public async Task<ProxmoxTarget> ResolveAsync(string? endpointFlag, string? nodeFlag, CancellationToken cancellationToken, bool localOnly = false)
    {
        var endpoint = localOnly ? null : endpointFlag ?? io.Env("PROXMOX_ENDPOINT");
        if (endpoint is null)
        {
            var status = await LocalCloudAccess.Manager(paths, io).UpAsync(cancellationToken);
            var pve = status.Proxmox ?? throw new UsageException("the local cloud runs without its local Proxmox VE; set PROXMOX_ENDPOINT and PROXMOX_TOKEN for a real one");
            var secret = pve.TokenSecret ?? throw new UsageException("the local Proxmox VE's API token is not readable in the local cloud's state directory");
            var local = new ProxmoxClientOptions
            {
                Endpoint = new Uri(pve.Endpoint ?? throw new UsageException("the local Proxmox VE has no listener")),
                ApiToken = new ProxmoxApiToken(pve.TokenId, secret),
                Fingerprint = CertificateFingerprint.Parse(pve.Fingerprint),
                UserAgent = "drover/0.1",
            };
            return new ProxmoxTarget(local, nodeFlag ?? pve.Node, "local Proxmox VE") { LocalCloud = (new Uri(status.Endpoint!), status.Token!) };
        }
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
        {
            throw new UsageException($"Proxmox endpoint '{endpoint}' is not a URL like https://pve.example:8006");
        }
        var options = new ProxmoxClientOptions
        {
            Endpoint = uri,
            ApiToken = io.Env("PROXMOX_TOKEN") is { } token ? ParseToken(token) : null,
            Ticket = io.Env("PROXMOX_TOKEN") is null && io.Env("PROXMOX_USER") is { } user
                ? new ProxmoxTicketCredentials { Username = user, Password = io.Env("PROXMOX_PASSWORD") ?? throw new UsageException("PROXMOX_USER is set but PROXMOX_PASSWORD is not") }
                : null,
            Fingerprint = io.Env("PROXMOX_FINGERPRINT") is { } pin ? ParseFingerprint(pin) : null,
            Insecure = io.Env("PROXMOX_INSECURE") is "1" or "true" or "yes",
            UserAgent = "drover/0.1",
        };
        if (options.ApiToken is null && options.Ticket is null)
        {
            throw new UsageException($"no credentials for {uri}: set PROXMOX_TOKEN=USER@REALM!TOKENID=SECRET (or PROXMOX_USER and PROXMOX_PASSWORD)");
        }
        options.Validate();
        return new ProxmoxTarget(options, nodeFlag ?? "", endpointFlag is null ? "PROXMOX_ENDPOINT" : "--proxmox-endpoint");
    }

    public async Task<(ProxmoxClient Client, ProxmoxTarget Target)> ConnectAsync(string? endpointFlag, string? nodeFlag, CancellationToken cancellationToken, bool localOnly = false)
    {
        var target = await ResolveAsync(endpointFlag, nodeFlag, cancellationToken, localOnly);
        return (ProxmoxClient.Create(target.Options, null, new CliEnv(io, paths).Logging), target);
    }

    /// <summary>
    /// Where snippets go: the local cloud's control API for the local Proxmox VE; for a real one, SSH to the node
    /// (<c>PROXMOX_SSH</c>, USER@HOST[:PORT], default root@ the endpoint's host, with the user's own SSH keys and
    /// known_hosts), into the storage's <c>snippets/</c> directory.
    /// </summary>
    public ISnippetStore Snippets(ProxmoxTarget target, ProxmoxClient client)
    {
        if (target.LocalCloud is { } local)
        {
            return new LocalSnippetStore(new HttpClient(), local.Endpoint, local.Token);
        }
        var ssh = io.Env("PROXMOX_SSH") ?? $"root@{target.Options.Endpoint.Host}";
        var parsed = ParseSshTarget(ssh);
        return new SshSnippetStore(client, _ => new OpenSshShell(parsed));
    }

    private static SshTarget ParseSshTarget(string value)
    {
        var port = 22;
        var text = value;
        var colon = value.LastIndexOf(':');
        if (colon > 0 && int.TryParse(value[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p))
        {
            port = p;
            text = value[..colon];
        }
        try
        {
            return SshTarget.Parse(text, port);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"PROXMOX_SSH: '{value}' is not USER@HOST[:PORT] ({e.Message})");
        }
    }

    private static ProxmoxApiToken ParseToken(string value)
    {
        try
        {
            return ProxmoxApiToken.Parse(value);
        }
        catch (ProxmoxConfigurationException e)
        {
            throw new UsageException($"PROXMOX_TOKEN: {e.Message}");
        }
    }

    private static CertificateFingerprint ParseFingerprint(string value)
        => CertificateFingerprint.TryParse(value, out var fingerprint)
            ? fingerprint
            : throw new UsageException($"PROXMOX_FINGERPRINT: '{value}' is not a SHA-256 fingerprint (32 bytes in hex, e.g. AA:BB:…)");
}
