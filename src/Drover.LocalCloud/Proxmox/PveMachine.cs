using System.Text.Json.Nodes;

namespace Drover.LocalCloud.Proxmox;

/// <summary>A VM's running QEMU (see <see cref="PveMachines"/>): its address on vmbr0, its process, its guest agent.</summary>
public sealed class PveMachine
{
    private readonly Func<TimeSpan?, CancellationToken, Task> _stop;
    private readonly Func<string, CancellationToken, Task<JsonNode?>> _agent;
    private volatile bool _stopping;

    internal PveMachine(string address, int? pid, Task exited, Func<TimeSpan?, CancellationToken, Task> stop, Func<string, CancellationToken, Task<JsonNode?>> agent)
    {
        Address = address;
        Pid = pid;
        Exited = exited;
        _stop = stop;
        _agent = agent;
    }

    /// <summary>The VM's IPv4 on vmbr0: the host reaches its SSH there, and the guest agent reports it.</summary>
    public string Address { get; }

    public int? Pid { get; }

    /// <summary>Completes when QEMU has exited.</summary>
    public Task Exited { get; }

    public bool Stopping => _stopping;

    public Task StopAsync(TimeSpan? grace, CancellationToken cancellationToken)
    {
        _stopping = true;
        return _stop(grace, cancellationToken);
    }

    /// <summary>The guest agent's answer to <paramref name="command"/>'s <c>return</c>, wrapped as PVE wraps it (<c>{"result": …}</c>), or null when it does not answer.</summary>
    public Task<JsonNode?> AgentAsync(string command, CancellationToken cancellationToken) => _agent(command, cancellationToken);
}
