namespace Drover.Proxmox;

/// <summary>The client's settings are unusable (endpoint, token form, fingerprint, TLS choice): a usage error.</summary>
public sealed class ProxmoxConfigurationException(string message) : Drover.Core.DroverException(message)
{
    public override bool IsUsageError => true;
}
