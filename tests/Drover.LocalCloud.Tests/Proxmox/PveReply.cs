using System.Text.Json;

namespace Drover.LocalCloud.Tests.Proxmox;

/// <summary>A raw answer of the local Proxmox VE: status, reason phrase, the exact Content-Type header, body and its <c>data</c>.</summary>
public sealed class PveReply(int status, string? reason, string? contentType, string body)
{
    public int Status { get; } = status;
    public string? Reason { get; } = reason;
    public string? ContentType { get; } = contentType;
    public string Body { get; } = body;

    public JsonElement Json
    {
        get
        {
            using var document = JsonDocument.Parse(Body);
            return document.RootElement.Clone();
        }
    }

    public JsonElement Data => Json.GetProperty("data");

    /// <summary><c>errors.NAME</c> of a parameter error.</summary>
    public string Error(string name) => Json.GetProperty("errors").GetProperty(name).GetString()!;

    public override string ToString() => $"HTTP {Status} {Reason} {Body}";
}
