using System.Net.Http.Headers;
using Drover.Proxmox.Contracts;
using static Drover.Proxmox.Contracts.ProxmoxJsonContext;

namespace Drover.Proxmox;

/// <summary><c>/nodes/{node}/storage</c> and <c>/storage</c>: storages, their content, uploads.</summary>
public sealed class StorageClient
{
    private readonly ProxmoxClient _client;

    internal StorageClient(ProxmoxClient client) => _client = client;

    /// <summary><c>GET /nodes/{node}/storage[?content=…&amp;enabled=1]</c>: the storages the node sees.</summary>
    public Task<IReadOnlyList<StorageSummary>> ListAsync(string node, string? content = null, bool? enabled = null, CancellationToken cancellationToken = default)
        => _client.GetDataAsync(HttpMethod.Get, NodePath(node) + "/storage", new FormParameters().Add("content", content).Add("enabled", enabled),
            Default.ProxmoxResponseIReadOnlyListStorageSummary, cancellationToken);

    /// <summary>One storage as the node sees it, or null when the node has none of that name.</summary>
    public async Task<StorageSummary?> GetAsync(string node, string storage, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storage);
        return (await ListAsync(node, cancellationToken: cancellationToken)).FirstOrDefault(s => s.Storage == storage);
    }

    /// <summary><c>GET /storage/{storage}</c>: the storage's configuration (type, content, path, …), or null when missing.</summary>
    public async Task<StorageConfig?> GetConfigAsync(string storage, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _client.GetDataAsync(HttpMethod.Get, "storage/" + ProxmoxClient.Segment(storage), null, Default.ProxmoxResponseStorageConfig, cancellationToken);
        }
        catch (ProxmoxApiException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    /// <summary><c>GET /nodes/{node}/storage/{storage}/content[?content=…]</c>.</summary>
    public Task<IReadOnlyList<StorageContentItem>> ListContentAsync(string node, string storage, string? content = null, CancellationToken cancellationToken = default)
        => _client.GetDataAsync(HttpMethod.Get, StoragePath(node, storage) + "/content", new FormParameters().Add("content", content),
            Default.ProxmoxResponseIReadOnlyListStorageContentItem, cancellationToken);

    /// <summary>
    /// <c>POST /nodes/{node}/storage/{storage}/upload</c> as <c>multipart/form-data</c>, streaming
    /// <paramref name="file"/> (a seekable stream: Proxmox needs the length up front; progress reported through
    /// <paramref name="progress"/> as bytes sent). Returns the task that
    /// moves the file into place (task <c>imgcopy</c>). Uploads cannot be proxied: send them to the node itself.
    /// </summary>
    public async Task<Upid> UploadAsync(string node, string storage, UploadFileRequest request, Stream file, IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(file);
        request.Validate();
        using var form = new MultipartFormDataContent("----drover-" + Guid.NewGuid().ToString("N"));
        form.Add(Field("content", request.Content));
        if (request.Checksum is not null)
        {
            form.Add(Field("checksum", request.Checksum));
            form.Add(Field("checksum-algorithm", request.ChecksumAlgorithm!.Value.ToString().ToLowerInvariant()));
        }
        // The file part last: Proxmox reads the other fields before it spools the file.
        var filePart = new StreamContent(new ProgressStream(file, progress), 1 << 20);
        filePart.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        filePart.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"filename\"", FileName = $"\"{request.FileName}\"" };
        form.Add(filePart);
        // Proxmox refuses chunked bodies: the length must be known up front.
        if (form.Headers.ContentLength is null)
        {
            throw new ArgumentException($"upload of {request.FileName}: the stream must be seekable (Proxmox needs the Content-Length up front)", nameof(file));
        }
        var data = (await _client.SendStreamingAsync(StoragePath(node, storage) + "/upload", form, Default.ProxmoxResponseString, cancellationToken)).Data;
        return Upid.Parse(data ?? throw new System.Text.Json.JsonException("the upload answer has no task id"));
    }

    /// <summary>
    /// <c>DELETE /nodes/{node}/storage/{storage}/content/{volume}</c>: removes a volume (e.g.
    /// <c>local:import/debian.qcow2</c>); returns the task, or null when the server finished at once.
    /// </summary>
    public async Task<Upid?> DeleteVolumeAsync(string node, string storage, string volume, CancellationToken cancellationToken = default)
    {
        var data = (await _client.SendAsync(HttpMethod.Delete, StoragePath(node, storage) + "/content/" + ProxmoxClient.Segment(volume), null,
            Default.ProxmoxResponseString, cancellationToken)).Data;
        return string.IsNullOrEmpty(data) ? null : Upid.Parse(data);
    }

    private static StringContent Field(string name, string value)
    {
        var content = new StringContent(value);
        content.Headers.ContentType = null;
        content.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = $"\"{name}\"" };
        return content;
    }

    private static string NodePath(string node) => "nodes/" + ProxmoxClient.Segment(node);

    private static string StoragePath(string node, string storage) => $"{NodePath(node)}/storage/{ProxmoxClient.Segment(storage)}";
}
