namespace Drover.Proxmox;

/// <summary>A Proxmox task was still running when the wait's timeout ran out (the task itself keeps running).</summary>
public sealed class ProxmoxTaskTimeoutException(Upid upid, TimeSpan timeout)
    : Drover.Core.DroverException($"Proxmox task {upid.Type} of {upid.Id} on node {upid.Node} did not finish within {timeout.TotalSeconds:0} s ({upid})")
{
    public Upid Upid { get; } = upid;

    public TimeSpan Timeout { get; } = timeout;
}
