using System.Text.Json;
using System.Text.Json.Serialization;

namespace Drover.Proxmox.Contracts;

/// <summary>
/// Source-generated JSON metadata for every wire type, for the client and for anything that serves the same wire
/// format. Multi-word names are spelled out (<c>maxmem</c>, <c>vmid</c>, <c>hardware-address</c>); reading matches
/// names case-insensitively, accepts numbers as strings and booleans as <c>0</c>/<c>1</c> (as the Perl encoder writes
/// them), and writing gives booleans as <c>1</c>/<c>0</c>.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    PropertyNameCaseInsensitive = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    Converters = [typeof(PveBooleanConverter)])]
[JsonSerializable(typeof(ProxmoxErrorResponse))]
[JsonSerializable(typeof(ProxmoxResponse<JsonElement>))]
[JsonSerializable(typeof(ProxmoxResponse<string>))]
[JsonSerializable(typeof(ProxmoxResponse<int>))]
[JsonSerializable(typeof(ProxmoxResponse<TicketResult>))]
[JsonSerializable(typeof(ProxmoxResponse<ProxmoxVersion>))]
[JsonSerializable(typeof(ProxmoxResponse<IReadOnlyList<ClusterResource>>))]
[JsonSerializable(typeof(ProxmoxResponse<IReadOnlyList<NodeSummary>>))]
[JsonSerializable(typeof(ProxmoxResponse<IReadOnlyList<StorageSummary>>))]
[JsonSerializable(typeof(ProxmoxResponse<IReadOnlyList<StorageContentItem>>))]
[JsonSerializable(typeof(ProxmoxResponse<StorageConfig>))]
[JsonSerializable(typeof(ProxmoxResponse<ProxmoxTaskStatus>))]
[JsonSerializable(typeof(ProxmoxResponse<IReadOnlyList<TaskLogLine>>))]
[JsonSerializable(typeof(ProxmoxResponse<IReadOnlyList<VmSummary>>))]
[JsonSerializable(typeof(ProxmoxResponse<VmStatus>))]
[JsonSerializable(typeof(ProxmoxResponse<Dictionary<string, JsonElement>>))]
[JsonSerializable(typeof(ProxmoxResponse<GuestAgentResult<IReadOnlyList<GuestNetworkInterface>>>))]
public sealed partial class ProxmoxJsonContext : JsonSerializerContext;
