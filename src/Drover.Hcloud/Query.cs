using System.Globalization;
using System.Text;

namespace Drover.Hcloud;

/// <summary>Builds a query string; arrays repeat the parameter (<c>?id=1&amp;id=2</c>).</summary>
internal sealed class Query
{
    private readonly List<KeyValuePair<string, string>> _pairs = [];

    public Query Add(string name, string? value)
    {
        if (value is not null)
        {
            _pairs.Add(new(name, value));
        }
        return this;
    }

    public Query Add(string name, long? value) => Add(name, value?.ToString(CultureInfo.InvariantCulture));

    public Query Add(string name, bool? value) => Add(name, value is null ? null : value.Value ? "true" : "false");

    public Query AddMany(string name, IEnumerable<string>? values)
    {
        foreach (var v in values ?? [])
        {
            Add(name, v);
        }
        return this;
    }

    public string Apply(string path)
    {
        if (_pairs.Count == 0)
        {
            return path;
        }
        var sb = new StringBuilder(path).Append('?');
        for (var i = 0; i < _pairs.Count; i++)
        {
            if (i > 0)
            {
                sb.Append('&');
            }
            sb.Append(Uri.EscapeDataString(_pairs[i].Key)).Append('=').Append(Uri.EscapeDataString(_pairs[i].Value));
        }
        return sb.ToString();
    }
}
