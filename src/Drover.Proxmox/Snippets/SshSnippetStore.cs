using System.Text;
using Drover.Core.Ssh;
using Drover.Core.Text;

namespace Drover.Proxmox.Snippets;

/// <summary>
/// Writes snippets over SSH to the node, into the storage's directory (<c>PATH/snippets/</c>, the path read from the
/// storage's configuration), atomically (a temporary file, then <c>mv</c>), as bpg's provider does over SSH too.
/// </summary>
public sealed class SshSnippetStore(ProxmoxClient client, Func<string, IRemoteShell> shellForNode) : ISnippetStore
{
    public async Task<string> WriteAsync(string node, string storage, string fileName, string content, CancellationToken cancellationToken = default)
    {
        SnippetNames.ThrowIfInvalid(fileName);
        var directory = await DirectoryAsync(storage, cancellationToken);
        var target = $"{directory}/{fileName}";
        var script = $"set -e; mkdir -p {ShellQuote.Quote(directory)}; t=$(mktemp {ShellQuote.Quote(target + ".XXXXXX")}); cat > \"$t\"; chmod 0600 \"$t\"; mv \"$t\" {ShellQuote.Quote(target)}";
        await using var shell = shellForNode(node);
        using var stdin = new MemoryStream(Encoding.UTF8.GetBytes(content));
        var result = await shell.RunAsync(script, stdin, null, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new SnippetException($"could not write snippet {target} on node {node}: {result.Stderr.Trim()}");
        }
        return SnippetNames.VolumeId(storage, fileName);
    }

    public async Task DeleteAsync(string node, string storage, string fileName, CancellationToken cancellationToken = default)
    {
        SnippetNames.ThrowIfInvalid(fileName);
        var directory = await DirectoryAsync(storage, cancellationToken);
        await using var shell = shellForNode(node);
        await shell.RunAsync($"rm -f {ShellQuote.Quote($"{directory}/{fileName}")}", null, null, cancellationToken);
    }

    private async Task<string> DirectoryAsync(string storage, CancellationToken cancellationToken)
    {
        var config = await client.Storage.GetConfigAsync(storage, cancellationToken)
            ?? throw new SnippetException($"storage '{storage}' does not exist");
        if (!Contracts.StorageContent.Split(config.Content).Contains(Contracts.StorageContent.Snippets))
        {
            throw new SnippetException($"storage '{storage}' does not hold snippets (its content: {config.Content}); enable 'snippets' on it or choose another storage");
        }
        var path = config.Path ?? throw new SnippetException($"storage '{storage}' ({config.Type}) has no directory path: snippets need a file-based storage (dir, nfs, cifs, cephfs)");
        return path.TrimEnd('/') + "/snippets";
    }
}
