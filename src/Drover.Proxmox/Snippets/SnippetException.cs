namespace Drover.Proxmox.Snippets;

/// <summary>A snippet that cannot be written: a storage without snippets content or directory, a node that refused it.</summary>
public sealed class SnippetException(string message) : Drover.Core.DroverException(message);
