using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Drover.Proxmox.Snippets;

namespace Drover.LocalCloud.Hosting;

/// <summary>
/// Snippets of the local Proxmox VE, written through the local cloud's control API
/// (<c>PUT /__localcloud/proxmox/snippets/NAME</c>): the stand-in for the SSH a real node needs. Its node has one
/// storage, <c>local</c>.
/// </summary>
public sealed class LocalSnippetStore(HttpClient http, Uri cloudEndpoint, string token) : ISnippetStore
{
    public async Task<string> WriteAsync(string node, string storage, string fileName, string content, CancellationToken cancellationToken = default)
    {
        SnippetNames.ThrowIfInvalid(fileName);
        CheckStorage(storage);
        using var request = new HttpRequestMessage(HttpMethod.Put, Url(fileName)) { Content = new StringContent(content, Encoding.UTF8, "text/plain") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new SnippetException($"the local Proxmox VE refused snippet '{fileName}': {(int)response.StatusCode} {body}");
        }
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("volid").GetString() ?? SnippetNames.VolumeId(storage, fileName);
    }

    public async Task DeleteAsync(string node, string storage, string fileName, CancellationToken cancellationToken = default)
    {
        SnippetNames.ThrowIfInvalid(fileName);
        CheckStorage(storage);
        using var request = new HttpRequestMessage(HttpMethod.Delete, Url(fileName));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.NotFound)
        {
            throw new SnippetException($"the local Proxmox VE did not delete snippet '{fileName}': {(int)response.StatusCode}");
        }
    }

    private Uri Url(string fileName) => new(new Uri(cloudEndpoint.GetLeftPart(UriPartial.Authority)), $"/__localcloud/proxmox/snippets/{Uri.EscapeDataString(fileName)}");

    private static void CheckStorage(string storage)
    {
        if (storage != "local")
        {
            throw new SnippetException($"storage '{storage}' does not hold snippets on the local Proxmox VE (its one storage is 'local')");
        }
    }
}
