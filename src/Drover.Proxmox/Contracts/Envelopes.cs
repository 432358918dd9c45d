using System.Text.Json;

namespace Drover.Proxmox.Contracts;

/// <summary>Every success body: <c>{"data": …}</c>, plus <c>total</c> on some lists (the task log).</summary>
public sealed record ProxmoxResponse<T>
{
    public T? Data { get; init; }

    public long? Total { get; init; }
}

/// <summary>The body of an error: <c>{"data": null, "errors": {param: why}, "message": "…"}</c> (both optional).</summary>
public sealed record ProxmoxErrorResponse
{
    public IReadOnlyDictionary<string, JsonElement>? Errors { get; init; }

    public string? Message { get; init; }
}
