namespace Drover.Proxmox.Snippets;

/// <summary>
/// Where <c>cicustom</c> snippets are written. The Proxmox API cannot upload snippets (its upload takes iso, vztmpl and
/// import content only), so a real node is reached over SSH (<see cref="SshSnippetStore"/>); the local Proxmox VE has
/// a stand-in of its own.
/// </summary>
public interface ISnippetStore
{
    /// <summary>Writes <paramref name="content"/> as <paramref name="fileName"/> in <paramref name="storage"/>'s snippets; returns its volume ID (<c>STORAGE:snippets/FILE</c>).</summary>
    Task<string> WriteAsync(string node, string storage, string fileName, string content, CancellationToken cancellationToken = default);

    /// <summary>Removes a snippet; one that is not there is no error.</summary>
    Task DeleteAsync(string node, string storage, string fileName, CancellationToken cancellationToken = default);
}
