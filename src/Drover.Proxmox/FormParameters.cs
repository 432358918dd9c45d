using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Drover.Proxmox;

/// <summary>
/// Ordered API parameters, encoded the way Proxmox reads them: <c>application/x-www-form-urlencoded</c> bodies for
/// POST/PUT, the query string for GET/DELETE, booleans as <c>1</c>/<c>0</c>. Null values are left out.
/// </summary>
internal sealed class FormParameters
{
    private readonly List<KeyValuePair<string, string>> _pairs = [];

    public int Count => _pairs.Count;

    public IReadOnlyList<KeyValuePair<string, string>> Pairs => _pairs;

    public FormParameters Add(string name, string? value)
    {
        if (value is not null)
        {
            _pairs.Add(new(name, value));
        }
        return this;
    }

    public FormParameters Add(string name, long? value) => Add(name, value?.ToString(CultureInfo.InvariantCulture));

    public FormParameters Add(string name, bool? value) => Add(name, value is null ? null : value.Value ? "1" : "0");

    public FormParameters AddAll(IEnumerable<KeyValuePair<string, string>>? pairs)
    {
        foreach (var (k, v) in pairs ?? [])
        {
            Add(k, v);
        }
        return this;
    }

    /// <summary>Percent-encodes names and values (RFC 3986 unreserved characters stay, space is <c>%20</c>).</summary>
    public string Encode()
    {
        var sb = new StringBuilder();
        foreach (var (name, value) in _pairs)
        {
            if (sb.Length > 0)
            {
                sb.Append('&');
            }
            sb.Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }
        return sb.ToString();
    }

    public string ApplyTo(string path) => _pairs.Count == 0 ? path : path + "?" + Encode();

    public HttpContent ToContent()
    {
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes(Encode()));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        return content;
    }
}
