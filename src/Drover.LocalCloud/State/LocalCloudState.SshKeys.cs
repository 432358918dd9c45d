using System.Security.Cryptography;
using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Http;

namespace Drover.LocalCloud.State;

public sealed partial class LocalCloudState
{
    private static readonly string[] _keyTypes =
    [
        "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
    ];

    public IReadOnlyList<SshKey> SshKeys() => [.. _doc.SshKeys];

    public SshKey GetSshKey(long id) => _doc.SshKeys.FirstOrDefault(k => k.Id == id) ?? throw ApiException.NotFound("SSH key");

    public SshKey CreateSshKey(CreateSshKeyRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            throw Invalid("name", "must not be empty");
        }
        var fingerprint = Fingerprint(request.PublicKey);
        ValidateLabels(request.Labels);
        if (_doc.SshKeys.Any(k => k.Name == request.Name))
        {
            throw ApiException.Uniqueness("name", "SSH key with the same name already exists");
        }
        if (_doc.SshKeys.Any(k => k.Fingerprint == fingerprint))
        {
            throw ApiException.Uniqueness("public_key", "SSH key with the same fingerprint already exists");
        }
        var key = new SshKey
        {
            Id = NextId(),
            Name = request.Name,
            Fingerprint = fingerprint,
            PublicKey = request.PublicKey.Trim(),
            Labels = request.Labels ?? new Dictionary<string, string>(),
            Created = Now,
        };
        _doc.SshKeys.Add(key);
        return key;
    }

    public SshKey UpdateSshKey(long id, UpdateSshKeyRequest request)
    {
        var key = GetSshKey(id);
        if (request.Name is { } name && _doc.SshKeys.Any(k => k.Name == name && k.Id != id))
        {
            throw ApiException.Uniqueness("name", "SSH key with the same name already exists");
        }
        ValidateLabels(request.Labels);
        var updated = key with { Name = request.Name ?? key.Name, Labels = request.Labels ?? key.Labels };
        Replace(_doc.SshKeys, k => k.Id == id, updated);
        return updated;
    }

    public void DeleteSshKey(long id)
    {
        _doc.SshKeys.Remove(GetSshKey(id));
        Touch();
    }

    /// <summary>The MD5 fingerprint of an OpenSSH public key, colon-separated, as the API shows it.</summary>
    public static string Fingerprint(string? publicKey)
    {
        var parts = (publicKey ?? "").Trim().Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || !_keyTypes.Contains(parts[0]))
        {
            throw Invalid("public_key", "must be an OpenSSH public key ('<type> <base64> [comment]')");
        }
        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(parts[1]);
        }
        catch (FormatException)
        {
            throw Invalid("public_key", "the key data is not valid base64");
        }
        if (blob.Length < 4 + parts[0].Length)
        {
            throw Invalid("public_key", "the key data is too short");
        }
#pragma warning disable CA5351 // MD5 is the API's fingerprint format, not a security measure.
        var hash = MD5.HashData(blob);
#pragma warning restore CA5351
        return string.Join(':', hash.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
    }
}
