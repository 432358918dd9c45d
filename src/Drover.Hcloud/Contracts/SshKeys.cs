namespace Drover.Hcloud.Contracts;

/// <summary>An SSH public key stored in the project.</summary>
public sealed record SshKey
{
    public required long Id { get; init; }
    public required string Name { get; init; }
    public required string Fingerprint { get; init; }
    public required string PublicKey { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public required DateTimeOffset Created { get; init; }
}

/// <summary><c>{"ssh_key": ...}</c></summary>
public sealed record SshKeyResponse
{
    public required SshKey SshKey { get; init; }
}

/// <summary><c>{"ssh_keys": [...], "meta": ...}</c></summary>
public sealed record SshKeysResponse
{
    public required IReadOnlyList<SshKey> SshKeys { get; init; }
    public required Meta Meta { get; init; }
}

/// <summary>Body of <c>POST /ssh_keys</c>.</summary>
public sealed record CreateSshKeyRequest
{
    public required string Name { get; init; }
    public required string PublicKey { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
}

/// <summary>Body of <c>PUT /ssh_keys/{id}</c>.</summary>
public sealed record UpdateSshKeyRequest
{
    public string? Name { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
}
