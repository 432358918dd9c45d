namespace Drover.LocalCloud.Machines;

/// <summary>
/// The real side of servers: each server's disk (a sparse file), its rescue system or QEMU boot while it runs, snapshot
/// disks, and the file server rescue systems download from. Methods return at once with a task for the action to wait on; work on
/// one server runs in order (a chain per server), never under the API lock.
/// </summary>
/// <remarks>
/// Layout under <see cref="Root"/>: <c>registry.json</c> (what exists on the host), <c>disks/server-ID.raw</c> (and the server's UEFI variable store,
/// <c>disks/server-ID.aavmf-vars.fd</c> or <c>.ovmf-vars.fd</c>),
/// <c>images/image-ID.raw</c>, <c>rescue/NAMESPACE/</c> (sshd_config, host key, authorized_keys, rescue.sh, logs),
/// <c>qemu/NAMESPACE/</c> (QMP socket, PID file, QEMU's output), <c>console/server-ID/</c> (serial logs of the last boot).
/// Everything else it puts on the host (network namespaces, veths, loop devices, routes) is named by
/// <see cref="MachineNames"/> from <see cref="Root"/> and recorded in the registry before it exists; every directory is
/// made when first needed. An in-memory cloud's root is a directory of its own under the temporary directory.
/// </remarks>
internal sealed partial class MachineRuntime : IAsyncDisposable
{
    /// <summary>The machines directory's name inside a state directory.</summary>
    public const string DirectoryName = "machines";

    /// <summary>The host's address as rescue systems see it (on every host-side veth): the file server listens here.</summary>
    public const string HostAddress = "198.19.255.254";

    private const long GiB = 1L << 30;
    private static readonly string[] _dataFolders = ["disks", "images", "console"];
    /// <summary>The name prefix of an in-memory cloud's own directory under the temporary directory.</summary>
    private const string TemporaryPrefix = "drover-localcloud-machines-";

    private readonly Lock _gate = new();
    private readonly Dictionary<long, Task> _chains = [];
    private readonly Dictionary<long, RescueSystem> _rescues = [];
    private readonly MachineRegistry _registry;
    private readonly bool _temporary;
    private bool _shutDown;
    private string? _blockRoute;

    private MachineRuntime(string root, bool temporary)
    {
        Root = root;
        _temporary = temporary;
        Names = new MachineNames(root);
        _registry = new MachineRegistry(root, ProcessIdentity.Current());
    }

    public string Root { get; }

    /// <summary>The host-wide names of this cloud (namespaces, veths, route metric).</summary>
    public MachineNames Names { get; }

    /// <summary>
    /// What an earlier run left that no sweep could remove yet, each naming the thing and why. It stays in the registry
    /// for the next sweep (reset, down, the next start) and never keeps new machines from running.
    /// </summary>
    public IReadOnlyList<string> Leftovers { get; private set; } = [];

    /// <summary>
    /// Sweeps what a previous run left (the state directory's registry and names, abandoned in-memory instances) and
    /// creates the runtime. What the sweep cannot remove is reported in <see cref="Leftovers"/>, not a reason to run
    /// without machines. Returns null with a reason only when the machines belong to another running process.
    /// </summary>
    public static (MachineRuntime? Runtime, string? Problem) Create(string? stateDirectory)
    {
        MachineSweeper.SweepAbandonedAsync(Path.GetTempPath(), TemporaryPrefix).GetAwaiter().GetResult();
        var temporary = stateDirectory is null;
        var root = temporary ? Directory.CreateTempSubdirectory(TemporaryPrefix).FullName : Path.Combine(stateDirectory!, DirectoryName);
        var previous = MachineRegistry.Read(Path.Combine(root, MachineRegistry.FileName));
        if (previous is not null && previous.Owner.Pid != Environment.ProcessId && previous.Owner.IsAliveOnceSettled())
        {
            return (null, $"the machines of {stateDirectory} belong to another running local cloud (pid {previous.Owner.Pid}); stop it with 'drover local down'");
        }
        Directory.CreateDirectory(root);
        var runtime = new MachineRuntime(root, temporary);
        runtime.Leftovers = MachineSweeper.SweepAsync(root, runtime._registry, CancellationToken.None).GetAwaiter().GetResult().Problems;
        return (runtime, null);
    }

    /// <summary>
    /// Makes this instance's /24 of server addresses unreachable from the host except for running rescue systems (their
    /// /32 routes are more specific): traffic to a stopped server fails at once instead of leaving the machine, and other
    /// local clouds see the block as taken. Returns false when the block is routed already (another instance's).
    /// </summary>
    public bool ClaimAddressBlock(string block)
    {
        var route = MachineSweeper.UnreachableRoute(block, Names.RouteMetric);
        lock (_gate)
        {
            if (_blockRoute == route)
            {
                return true;
            }
        }
        // Any route for the block (another cloud's, whatever its metric, or a real network's) means it is taken: with
        // a metric of its own, 'ip route add' would not refuse it.
        var existing = HostCommand.Run("ip", "-4", "route", "show", "table", "main", "exact", block);
        if (!existing.Ok || existing.Stdout.Trim().Length > 0)
        {
            return false;
        }
        _registry.AddRoute(route);
        var added = HostCommand.Run("ip", ["route", "add", .. route.Split(' ')]);
        if (!added.Ok)
        {
            _registry.RemoveRoute(route);
            return false;
        }
        lock (_gate)
        {
            _blockRoute = route;
        }
        return true;
    }

    /// <summary>
    /// Stops every rescue system and QEMU, deletes every disk, and sweeps again what earlier runs left
    /// (<c>POST /__localcloud/reset</c>). Returns what could not be removed, each naming the thing and why.
    /// </summary>
    public async Task<SweepReport> ResetAsync()
    {
        var problems = await DrainAndStopAllAsync();
        foreach (var dir in _dataFolders.Select(d => Path.Combine(Root, d)))
        {
            RescueTeardown.DeleteDirectory(dir, problems);
        }
        var sweep = await MachineSweeper.SweepAsync(Root, _registry, CancellationToken.None);
        Leftovers = sweep.Problems;
        return new SweepReport(sweep.Removed, [.. problems, .. sweep.Problems]);
    }

    /// <summary>Graceful shutdown: waits for running work, stops every rescue system; a temporary root is deleted once empty of machines.</summary>
    public async Task ShutdownAsync()
    {
        lock (_gate)
        {
            if (_shutDown)
            {
                return;
            }
            _shutDown = true;
        }
        var problems = await DrainAndStopAllAsync();
        if (_blockRoute is { } route)
        {
            try
            {
                await RescueTeardown.DeleteRouteAsync(route);
                _registry.RemoveRoute(route);
            }
            catch (MachineException e)
            {
                problems.Add(e.Message);
            }
        }
        if (problems.Count > 0)
        {
            // The registry names what is left; the next start (or an abandoned-instance sweep) removes it.
            throw new MachineException(string.Join("; ", problems));
        }
        if (_temporary)
        {
            RescueTeardown.DeleteDirectory(Root, problems);
        }
    }

    public ValueTask DisposeAsync() => new(ShutdownAsync());

    /// <summary>Waits for running work, then stops every QEMU and rescue system; returns what could not be removed.</summary>
    private async Task<List<string>> DrainAndStopAllAsync()
    {
        Task[] chains;
        lock (_gate)
        {
            chains = [.. _chains.Values];
        }
        try
        {
            await Task.WhenAll(chains).WaitAsync(TimeSpan.FromMinutes(2), TimeProvider.System);
        }
        catch (Exception)
        {
            // The actions report their own failures; here only the stopping matters.
        }
        List<RescueSystem> running;
        List<QemuMachine> booted;
        lock (_gate)
        {
            running = [.. _rescues.Values];
            _rescues.Clear();
            booted = [.. _qemus.Values];
            _qemus.Clear();
        }
        var problems = new List<string>();
        foreach (var machine in booted)
        {
            try
            {
                await machine.StopAsync(null, CancellationToken.None);
                _registry.Remove(machine.Entry);
            }
            catch (MachineException e)
            {
                problems.Add(e.Message);
            }
        }
        foreach (var rescue in running)
        {
            try
            {
                await rescue.StopAsync(CancellationToken.None);
                _registry.Remove(rescue.Entry);
            }
            catch (MachineException e)
            {
                problems.Add(e.Message);
            }
        }
        return problems;
    }

    /// <summary>A registry entry with a fresh namespace and veth names for one rescue system or QEMU boot of a server.</summary>
    private (RegistryEntry Entry, string NsVeth) NewEntry(long serverId, string kind)
    {
        lock (_gate)
        {
            if (_shutDown)
            {
                throw new MachineException("the local cloud is shutting down");
            }
        }
        var (ns, hostVeth, nsVeth) = Names.For(_registry.NextSequence(), serverId);
        var entry = new RegistryEntry
        {
            ServerId = serverId,
            Kind = kind,
            Namespace = ns,
            HostVeth = hostVeth,
            BackingFile = DiskPath(serverId),
            Marker = Path.Combine(Root, kind == "qemu" ? "qemu" : "rescue", ns),
        };
        return (entry, nsVeth);
    }

    private async Task StartRescueAsync(RescueSpec spec, CancellationToken cancellationToken)
    {
        var (entry, nsVeth) = NewEntry(spec.ServerId, "rescue");
        var rescue = await RescueSystem.StartAsync(spec, entry, nsVeth, _registry, cancellationToken);
        lock (_gate)
        {
            _rescues[spec.ServerId] = rescue;
        }
    }

    private async Task StopRescueAsync(long serverId, CancellationToken cancellationToken)
    {
        RescueSystem? rescue;
        lock (_gate)
        {
            _rescues.Remove(serverId, out rescue);
        }
        if (rescue is not null)
        {
            await rescue.StopAsync(cancellationToken);
            _registry.Remove(rescue.Entry);
        }
    }

    private RescueSystem? RescueOf(long serverId)
    {
        lock (_gate)
        {
            return _rescues.GetValueOrDefault(serverId);
        }
    }

    private Task<bool> Enqueue(long serverId, Func<CancellationToken, Task> step) => Enqueue<bool>(serverId, async ct =>
    {
        await step(ct);
        return true;
    });

    /// <summary>Runs <paramref name="step"/> after the server's previous work (whatever its outcome).</summary>
    private Task<T> Enqueue<T>(long serverId, Func<CancellationToken, Task<T>> step)
    {
        lock (_gate)
        {
            if (_shutDown)
            {
                return Task.FromException<T>(new MachineException("the local cloud is shutting down"));
            }
            var previous = _chains.GetValueOrDefault(serverId) ?? Task.CompletedTask;
            var next = RunAfterAsync(previous, step);
            _chains[serverId] = next;
            return next;
        }
    }

    private static async Task<T> RunAfterAsync<T>(Task previous, Func<CancellationToken, Task<T>> step)
    {
        try
        {
            await previous;
        }
        catch (Exception)
        {
            // The previous action reported its own failure; this one starts regardless.
        }
        await Task.Yield();
        return await step(CancellationToken.None);
    }
}
