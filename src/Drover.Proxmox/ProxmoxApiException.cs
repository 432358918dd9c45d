using System.Net;

namespace Drover.Proxmox;

/// <summary>
/// Any non-2xx answer of the Proxmox API. Proxmox puts its message in the HTTP reason phrase (and, since
/// libpve-http-server 5.2, in the body's <c>message</c>), and per-parameter problems in the body's <c>errors</c>.
/// Filter with <see cref="IsNotFound"/>, <see cref="IsAlreadyExists"/> and <see cref="IsUnauthorized"/>.
/// </summary>
public sealed class ProxmoxApiException : Drover.Core.DroverException
{
    public ProxmoxApiException(HttpStatusCode statusCode, string reason, IReadOnlyDictionary<string, string>? parameterErrors,
        string method, string path, string? principal = null)
        : base(Format(statusCode, reason, parameterErrors, method, path, principal))
    {
        StatusCode = statusCode;
        Reason = reason;
        ParameterErrors = parameterErrors ?? new Dictionary<string, string>();
        Method = method;
        Path = path;
    }

    public HttpStatusCode StatusCode { get; }

    /// <summary>Proxmox's message: the body's <c>message</c> when present, else the reason phrase.</summary>
    public string Reason { get; }

    /// <summary>Per-parameter errors (<c>errors</c> in the body), e.g. <c>vmid: VM 100 already exists</c>.</summary>
    public IReadOnlyDictionary<string, string> ParameterErrors { get; }

    /// <summary>HTTP method of the failed request.</summary>
    public string Method { get; }

    /// <summary>Path of the failed request below <c>/api2/json</c> (without the query).</summary>
    public string Path { get; }

    /// <summary>
    /// The thing does not exist: a 404, or a 500 whose text says so (a missing VM is a plain <c>die</c> on the
    /// server: <c>Configuration file 'nodes/pve/qemu-server/100.conf' does not exist</c>).
    /// </summary>
    public bool IsNotFound
        => StatusCode == HttpStatusCode.NotFound
           || (StatusCode == HttpStatusCode.InternalServerError && AllText().Any(t =>
               t.Contains("does not exist", StringComparison.OrdinalIgnoreCase)
               || t.Contains("no such file", StringComparison.OrdinalIgnoreCase)
               || t.Contains("no such resource", StringComparison.OrdinalIgnoreCase)));

    /// <summary>The thing exists already (e.g. a clone onto a used VMID, or <c>nextid</c> with a used id).</summary>
    public bool IsAlreadyExists => AllText().Any(t => t.Contains("already exists", StringComparison.OrdinalIgnoreCase));

    /// <summary>The API token or ticket was refused (401).</summary>
    public bool IsUnauthorized => StatusCode == HttpStatusCode.Unauthorized;

    /// <summary>The first line, then one <c>param: why</c> line per parameter error.</summary>
    public override IReadOnlyList<string> Lines => Message.Split('\n');

    private IEnumerable<string> AllText() => ParameterErrors.Values.Prepend(Reason);

    private static string Format(HttpStatusCode status, string reason, IReadOnlyDictionary<string, string>? errors,
        string method, string path, string? principal)
    {
        var head = status == HttpStatusCode.Unauthorized
            ? $"Proxmox refused the {principal ?? "credentials"} ({reason}); check the token id and secret, or the user name and password"
            : reason;
        var text = $"{head} (HTTP {(int)status}, {method} {path})";
        if (errors is { Count: > 0 })
        {
            text += "\n" + string.Join("\n", errors.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}: {e.Value.TrimEnd()}"));
        }
        return text;
    }
}
