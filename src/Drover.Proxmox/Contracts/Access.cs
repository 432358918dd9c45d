using System.Text.Json.Serialization;

namespace Drover.Proxmox.Contracts;

/// <summary>The answer of <c>POST /access/ticket</c>.</summary>
public sealed record TicketResult
{
    public required string Username { get; init; }

    /// <summary>The ticket, sent back as cookie <c>PVEAuthCookie</c>. A secret: never logged.</summary>
    public string? Ticket { get; init; }

    [JsonPropertyName("CSRFPreventionToken")]
    public string? CsrfPreventionToken { get; init; }

    [JsonPropertyName("clustername")]
    public string? ClusterName { get; init; }

    public override string ToString() => $"TicketResult {{ Username = {Username}, Ticket = <redacted> }}";
}
