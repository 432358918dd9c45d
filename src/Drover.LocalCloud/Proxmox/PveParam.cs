namespace Drover.LocalCloud.Proxmox;

/// <summary>
/// One parameter of one Proxmox API method as its schema declares it (apidata of pve-docs 9.1.3): a name (a name
/// ending in <c>[n]</c> stands for the numbered family, <c>net[n]</c> = <c>net0</c>, <c>net1</c>, ...), the type,
/// whether it is required, integer bounds, an enumeration, a format the emulator checks (<c>urlencoded</c>,
/// <c>dns-name</c>, <c>pve-tag-list</c>), a pattern and a maximum length.
/// </summary>
public sealed record PveParam(string Name, PveType Type, bool Required = false, long? Min = null, long? Max = null,
    string[]? Enum = null, string? Format = null, string? Pattern = null, int? MaxLength = null);
