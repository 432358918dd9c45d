namespace Drover.LocalCloud.Proxmox;

/// <summary>The JSON schema types of the Proxmox API's parameters (enum: a string with a fixed set of values).</summary>
public enum PveType
{
    String,
    Integer,
    Boolean,
    Number,
    Enum,
}
