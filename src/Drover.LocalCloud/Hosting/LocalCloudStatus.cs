namespace Drover.LocalCloud.Hosting;

/// <summary>What <c>drover local status</c> reports.</summary>
public sealed record LocalCloudStatus
{
    /// <summary>Never shows the token.</summary>
    public override string ToString() => $"LocalCloudStatus {{ Running = {Running}, Pid = {Pid}, Endpoint = {Endpoint} }}";

    public bool Running { get; init; }
    public int? Pid { get; init; }
    public string? Endpoint { get; init; }
    public string? Token { get; init; }
    public required string StateDirectory { get; init; }
    public required string LogFile { get; init; }
    public MachineSupport? Machine { get; init; }

    /// <summary>The local Proxmox VE that runs with it (null when not running).</summary>
    public LocalProxmoxStatus? Proxmox { get; init; }
}

/// <summary>How to reach the local Proxmox VE: its endpoint, node, API token and certificate fingerprint.</summary>
public sealed record LocalProxmoxStatus
{
    /// <summary>Never shows the token secret.</summary>
    public override string ToString() => $"LocalProxmoxStatus {{ Endpoint = {Endpoint}, Node = {Node}, TokenId = {TokenId}, Fingerprint = {Fingerprint} }}";

    public string? Endpoint { get; init; }
    public required string Node { get; init; }

    /// <summary><c>root@pam!drover</c>; the header is <c>Authorization: PVEAPIToken=TOKENID=SECRET</c>.</summary>
    public required string TokenId { get; init; }
    public string? TokenSecret { get; init; }
    public required string Fingerprint { get; init; }
}
