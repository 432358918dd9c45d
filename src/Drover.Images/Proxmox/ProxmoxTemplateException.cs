using Drover.Core;

namespace Drover.Images.Proxmox;

/// <summary>A template import that cannot go on: bad input, a missing node or storage, a VMID in use.</summary>
public sealed class ProxmoxTemplateException(string message, Exception? inner = null) : DroverException(message, inner);
