using System.Text.Json.Nodes;

namespace Drover.LocalCloud.Proxmox;

/// <summary>One method of the Proxmox API: <c>GET</c> and a path template such as <c>/nodes/{node}/qemu/{vmid}/config</c>.</summary>
public sealed record PveRoute(string Method, string Template, Func<PveCall, Task<JsonNode?>> Handler)
{
    /// <summary>The key of <see cref="PveSchema.Routes"/>.</summary>
    public string Key => $"{Method} {Template}";

    private string[] Segments { get; } = Template.Trim('/').Split('/');

    /// <summary>The path parameters when <paramref name="path"/> (after <c>/api2/json</c>) matches, else null.</summary>
    public Dictionary<string, string>? Match(string path)
    {
        var parts = path.Trim('/').Split('/');
        if (parts.Length != Segments.Length)
        {
            return null;
        }
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < parts.Length; i++)
        {
            var segment = Segments[i];
            if (segment.StartsWith('{'))
            {
                if (parts[i].Length == 0)
                {
                    return null;
                }
                values[segment[1..^1]] = Uri.UnescapeDataString(parts[i]);
            }
            else if (segment != parts[i])
            {
                return null;
            }
        }
        return values;
    }
}
