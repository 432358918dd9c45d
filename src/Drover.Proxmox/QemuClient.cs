using Drover.Proxmox.Contracts;
using static Drover.Proxmox.Contracts.ProxmoxJsonContext;

namespace Drover.Proxmox;

/// <summary>
/// <c>/nodes/{node}/qemu</c>: virtual machines. Asynchronous calls return the task's <see cref="Upid"/>; wait for it
/// with <see cref="TasksClient.WaitAsync"/>. A missing VM is a 500 on Proxmox (<see cref="ProxmoxApiException.IsNotFound"/>).
/// </summary>
public sealed class QemuClient
{
    private readonly ProxmoxClient _client;

    internal QemuClient(ProxmoxClient client) => _client = client;

    /// <summary><c>GET /nodes/{node}/qemu</c>.</summary>
    public Task<IReadOnlyList<VmSummary>> ListAsync(string node, CancellationToken cancellationToken = default)
        => _client.GetDataAsync(HttpMethod.Get, NodePath(node) + "/qemu", null, Default.ProxmoxResponseIReadOnlyListVmSummary, cancellationToken);

    /// <summary><c>POST /nodes/{node}/qemu</c> (task <c>qmcreate</c>).</summary>
    public Task<Upid> CreateAsync(string node, CreateVmRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _client.SendForTaskAsync(HttpMethod.Post, NodePath(node) + "/qemu", request.ToForm(), cancellationToken);
    }

    /// <summary><c>POST …/{vmid}/clone</c> (task <c>qmclone</c>; its id is the source VMID).</summary>
    public Task<Upid> CloneAsync(string node, int vmid, CloneVmRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _client.SendForTaskAsync(HttpMethod.Post, VmPath(node, vmid) + "/clone", request.ToForm(), cancellationToken);
    }

    /// <summary><c>GET …/{vmid}/config</c>; <paramref name="current"/> shows applied values instead of pending ones.</summary>
    public async Task<VmConfig> GetConfigAsync(string node, int vmid, bool? current = null, CancellationToken cancellationToken = default)
        => VmConfig.FromJson(await _client.GetDataAsync(HttpMethod.Get, VmPath(node, vmid) + "/config",
            new FormParameters().Add("current", current), Default.ProxmoxResponseDictionaryStringJsonElement, cancellationToken));

    /// <summary>
    /// <c>POST …/{vmid}/config</c>: the asynchronous update (task <c>qmconfig</c>); null when the server finished
    /// it at once.
    /// </summary>
    public async Task<Upid?> UpdateConfigAsync(string node, int vmid, UpdateVmConfigRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var data = (await _client.SendAsync(HttpMethod.Post, VmPath(node, vmid) + "/config", request.ToForm(vmid), Default.ProxmoxResponseString, cancellationToken)).Data;
        return string.IsNullOrEmpty(data) ? null : Upid.Parse(data);
    }

    /// <summary><c>PUT …/{vmid}/config</c>: the synchronous update (no task).</summary>
    public async Task SetConfigAsync(string node, int vmid, UpdateVmConfigRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await _client.SendAsync(HttpMethod.Put, VmPath(node, vmid) + "/config", request.ToForm(vmid), Default.ProxmoxResponseJsonElement, cancellationToken);
    }

    /// <summary><c>POST …/{vmid}/template</c> (task <c>qmtemplate</c>): turns the VM into a template.</summary>
    public Task<Upid> ConvertToTemplateAsync(string node, int vmid, string? disk = null, CancellationToken cancellationToken = default)
        => _client.SendForTaskAsync(HttpMethod.Post, VmPath(node, vmid) + "/template", new FormParameters().Add("disk", disk), cancellationToken);

    /// <summary><c>PUT …/{vmid}/resize</c> (task <c>resize</c>): <paramref name="size"/> like <c>20G</c> or <c>+5G</c>.</summary>
    public Task<Upid> ResizeAsync(string node, int vmid, string disk, string size, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(disk);
        ArgumentException.ThrowIfNullOrWhiteSpace(size);
        return _client.SendForTaskAsync(HttpMethod.Put, VmPath(node, vmid) + "/resize", new FormParameters().Add("disk", disk).Add("size", size), cancellationToken);
    }

    /// <summary><c>GET …/{vmid}/status/current</c>, or null when the VM does not exist.</summary>
    public async Task<VmStatus?> GetStatusAsync(string node, int vmid, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _client.GetDataAsync(HttpMethod.Get, VmPath(node, vmid) + "/status/current", null, Default.ProxmoxResponseVmStatus, cancellationToken);
        }
        catch (ProxmoxApiException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    /// <summary><c>POST …/status/start</c> (task <c>qmstart</c>); the cloud-init drive is rebuilt on each start.</summary>
    public Task<Upid> StartAsync(string node, int vmid, int? timeoutSeconds = null, CancellationToken cancellationToken = default)
        => _client.SendForTaskAsync(HttpMethod.Post, VmPath(node, vmid) + "/status/start", new FormParameters().Add("timeout", timeoutSeconds), cancellationToken);

    /// <summary><c>POST …/status/shutdown</c> (task <c>qmshutdown</c>): ACPI shutdown, optionally stopping after the timeout.</summary>
    public Task<Upid> ShutdownAsync(string node, int vmid, int? timeoutSeconds = null, bool? forceStop = null, CancellationToken cancellationToken = default)
        => _client.SendForTaskAsync(HttpMethod.Post, VmPath(node, vmid) + "/status/shutdown",
            new FormParameters().Add("timeout", timeoutSeconds).Add("forceStop", forceStop), cancellationToken);

    /// <summary><c>POST …/status/stop</c> (task <c>qmstop</c>): pulls the plug.</summary>
    public Task<Upid> StopAsync(string node, int vmid, int? timeoutSeconds = null, CancellationToken cancellationToken = default)
        => _client.SendForTaskAsync(HttpMethod.Post, VmPath(node, vmid) + "/status/stop", new FormParameters().Add("timeout", timeoutSeconds), cancellationToken);

    /// <summary><c>POST …/status/reboot</c> (task <c>qmreboot</c>).</summary>
    public Task<Upid> RebootAsync(string node, int vmid, int? timeoutSeconds = null, CancellationToken cancellationToken = default)
        => _client.SendForTaskAsync(HttpMethod.Post, VmPath(node, vmid) + "/status/reboot", new FormParameters().Add("timeout", timeoutSeconds), cancellationToken);

    /// <summary>
    /// <c>DELETE /nodes/{node}/qemu/{vmid}?purge=1&amp;destroy-unreferenced-disks=1</c> (task <c>qmdestroy</c>); the
    /// parameters go in the query string.
    /// </summary>
    public Task<Upid> DeleteAsync(string node, int vmid, bool purge = true, bool destroyUnreferencedDisks = true, CancellationToken cancellationToken = default)
        => _client.SendForTaskAsync(HttpMethod.Delete, VmPath(node, vmid),
            new FormParameters().Add("purge", purge).Add("destroy-unreferenced-disks", destroyUnreferencedDisks), cancellationToken);

    /// <summary><c>GET …/cloudinit/dump?type=user|network|meta</c>: the generated file (the password masked).</summary>
    public Task<string> DumpCloudInitAsync(string node, int vmid, CloudInitDumpType type, CancellationToken cancellationToken = default)
        => _client.GetDataAsync(HttpMethod.Get, VmPath(node, vmid) + "/cloudinit/dump",
            new FormParameters().Add("type", type.ToString().ToLowerInvariant()), Default.ProxmoxResponseString, cancellationToken);

    /// <summary><c>PUT …/cloudinit</c>: regenerates the cloud-init drive from the current config.</summary>
    public async Task RegenerateCloudInitAsync(string node, int vmid, CancellationToken cancellationToken = default)
        => await _client.SendAsync(HttpMethod.Put, VmPath(node, vmid) + "/cloudinit", null, Default.ProxmoxResponseJsonElement, cancellationToken);

    /// <summary><c>GET …/agent/network-get-interfaces</c>: the guest's interfaces and addresses (needs a running guest agent).</summary>
    public async Task<IReadOnlyList<GuestNetworkInterface>> GetNetworkInterfacesAsync(string node, int vmid, CancellationToken cancellationToken = default)
        => (await _client.GetDataAsync(HttpMethod.Get, VmPath(node, vmid) + "/agent/network-get-interfaces", null,
            Default.ProxmoxResponseGuestAgentResultIReadOnlyListGuestNetworkInterface, cancellationToken)).Result ?? [];

    /// <summary><c>POST …/agent/ping</c>: whether the guest agent answers (false on the error Proxmox gives when it does not).</summary>
    public async Task<bool> PingAgentAsync(string node, int vmid, CancellationToken cancellationToken = default)
    {
        try
        {
            await _client.SendAsync(HttpMethod.Post, VmPath(node, vmid) + "/agent/ping", null, Default.ProxmoxResponseJsonElement, cancellationToken);
            return true;
        }
        catch (ProxmoxApiException e) when (!e.IsUnauthorized && !e.IsNotFound)
        {
            return false;
        }
    }

    private static string NodePath(string node) => "nodes/" + ProxmoxClient.Segment(node);

    private static string VmPath(string node, int vmid)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vmid, 100);
        return $"{NodePath(node)}/qemu/{vmid}";
    }
}
