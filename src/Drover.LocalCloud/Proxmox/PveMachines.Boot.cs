namespace Drover.LocalCloud.Proxmox;

public sealed partial class PveMachines
{
    internal Task<PveMachine> StartAsync(PveState state, PveVm vm, PveTask task, CancellationToken cancellationToken)
        => throw PveException.Failed($"booting VM {vm.Vmid} is not implemented yet ({state.Node}, {task.Upid}, {cancellationToken.CanBeCanceled})");
}
