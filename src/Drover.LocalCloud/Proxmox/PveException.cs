namespace Drover.LocalCloud.Proxmox;

/// <summary>
/// An error of the Proxmox API as real PVE reports it: the HTTP status, the message (which goes into the reason phrase
/// and the body's <c>message</c>), and per-parameter <c>errors</c> for parameter verification failures.
/// </summary>
public sealed class PveException(int status, string message, IReadOnlyDictionary<string, string>? errors = null) : Exception(message)
{
    public int Status { get; } = status;

    public IReadOnlyDictionary<string, string>? Errors { get; } = errors;

    /// <summary>400 <c>Parameter verification failed.</c> with one error per parameter (pve-common's raise_param_exc).</summary>
    public static PveException Parameters(IReadOnlyDictionary<string, string> errors) => new(400, "Parameter verification failed.", errors);

    /// <summary>400 <c>Parameter verification failed.</c> for one parameter.</summary>
    public static PveException Parameter(string name, string why) => Parameters(new Dictionary<string, string> { [name] = why });

    /// <summary>A plain <c>die</c> in a handler: HTTP 500 with the message.</summary>
    public static PveException Failed(string message) => new(500, message);

    /// <summary>The missing-VM error of pve-guest-common's load_config.</summary>
    public static PveException NoVm(string node, long vmid) => Failed($"Configuration file 'nodes/{node}/qemu-server/{vmid}.conf' does not exist");
}
