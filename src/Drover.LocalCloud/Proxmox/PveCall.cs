namespace Drover.LocalCloud.Proxmox;

/// <summary>
/// One authenticated Proxmox API call as a handler sees it: the parameters (path, query and body merged and validated),
/// the user it runs as, an uploaded file (multipart uploads only), and the request's cancellation.
/// </summary>
public sealed class PveCall(IDictionary<string, string> parameters, string user, PveUpload? upload, CancellationToken cancellationToken)
{
    public IDictionary<string, string> Parameters { get; } = parameters;

    /// <summary><c>root@pam</c>, or the token's user (<c>root@pam!drover</c> runs as root@pam).</summary>
    public string User { get; } = user;

    public PveUpload? Upload { get; } = upload;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    public string? Get(string name) => Parameters.TryGetValue(name, out var value) ? value : null;

    public string Required(string name) => Get(name) ?? throw PveException.Parameter(name, "property is missing and it is not optional");

    public long Long(string name) => long.Parse(Required(name), System.Globalization.CultureInfo.InvariantCulture);

    public bool Flag(string name, bool fallback = false) => Get(name) is { } value ? value == "1" : fallback;
}
