using System.Globalization;

namespace Drover.LocalCloud.Machines;

/// <summary>
/// The real side of servers: each server's disk (a sparse file), its rescue system or QEMU boot while it runs, snapshot
/// disks, and the file server rescue systems download from. Methods return at once with a task for the action to wait on; work on
/// one server runs in order (a chain per server), never under the API lock.
/// </summary>
/// <remarks>
/// Layout under <see cref="Root"/>: <c>registry.json</c> (what exists on the host), <c>disks/server-ID.raw</c>,
/// <c>images/image-ID.raw</c>, <c>rescue/NAMESPACE/</c> (sshd_config, host key, authorized_keys, rescue.sh, logs),
/// <c>qemu/NAMESPACE/</c> (QMP socket, PID file, QEMU's output), <c>console/server-ID/</c> (serial logs of the last boot).
/// </remarks>
internal sealed partial class MachineRuntime : IAsyncDisposable
{
    /// <summary>The machines directory's name inside a state directory.</summary>
    public const string DirectoryName = "machines";

    /// <summary>The host's address as rescue systems see it (on every host-side veth): the file server listens here.</summary>
    public const string HostAddress = "198.19.255.254";

    private const long GiB = 1L << 30;
    private static readonly string[] _dataFolders = ["disks", "images", "console"];
    private static readonly string _temporaryParent = Path.Combine(Path.GetTempPath(), "drover-localcloud-machines");

    private readonly Lock _gate = new();
    private readonly Dictionary<long, Task> _chains = [];
    private readonly Dictionary<long, RescueSystem> _rescues = [];
    private readonly MachineRegistry _registry;
    private readonly bool _temporary;
    private readonly string _tag = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3));
    private int _sequence;
    private bool _shutDown;
    private string? _blockRoute;

    private MachineRuntime(string root, bool temporary)
    {
        Root = root;
        _temporary = temporary;
        Directory.CreateDirectory(root);
        _registry = new MachineRegistry(root, ProcessIdentity.Current());
    }

    public string Root { get; }

    /// <summary>
    /// Sweeps what a previous run left (the state directory's registry, abandoned temporary instances) and creates the
    /// runtime. Returns null with a reason when the state directory's machines belong to another running process, or when
    /// what an earlier run left could not be removed.
    /// </summary>
    public static (MachineRuntime? Runtime, string? Problem) Create(string? stateDirectory)
    {
        var temporary = stateDirectory is null;
        var root = temporary
            ? Path.Combine(_temporaryParent, $"{Environment.ProcessId}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}")
            : Path.Combine(stateDirectory!, DirectoryName);
        MachineSweeper.SweepAbandonedAsync(_temporaryParent).GetAwaiter().GetResult();
        if (!temporary)
        {
            var previous = MachineRegistry.Read(Path.Combine(root, MachineRegistry.FileName));
            if (previous is not null && previous.Owner.Pid != Environment.ProcessId && previous.Owner.IsAlive() && previous.Entries.Count > 0)
            {
                return (null, $"the machines of {stateDirectory} belong to another running local cloud (pid {previous.Owner.Pid})");
            }
            try
            {
                MachineSweeper.SweepAsync(root).GetAwaiter().GetResult();
            }
            catch (MachineException e)
            {
                // Keep the registry as it is, so that a later sweep can still find what is left.
                return (null, $"leftovers of an earlier run of {stateDirectory} could not be removed: {e.Message}");
            }
        }
        return (new MachineRuntime(root, temporary), null);
    }

    /// <summary>
    /// Makes this instance's /24 of server addresses unreachable from the host except for running rescue systems (their
    /// /32 routes are more specific): traffic to a stopped server fails at once instead of leaving the machine, and other
    /// local clouds see the block as taken. Returns false when the block is routed already (another instance's).
    /// </summary>
    public bool ClaimAddressBlock(string block)
    {
        var route = $"unreachable {block}";
        lock (_gate)
        {
            if (_blockRoute == route)
            {
                return true;
            }
        }
        _registry.AddRoute(route);
        var added = HostCommand.Run("ip", "route", "add", "unreachable", block);
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

    /// <summary>Stops every rescue system and deletes every disk (<c>POST /__localcloud/reset</c>).</summary>
    public async Task ResetAsync()
    {
        await DrainAndStopAllAsync();
        foreach (var dir in _dataFolders.Select(d => Path.Combine(Root, d)).Where(Directory.Exists))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Graceful shutdown: waits for running work, stops every rescue system; a temporary root is deleted.</summary>
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
        await DrainAndStopAllAsync();
        if (_blockRoute is { } route)
        {
            await RescueTeardown.DeleteRouteAsync(route);
            _registry.RemoveRoute(route);
        }
        if (_temporary && Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    public ValueTask DisposeAsync() => new(ShutdownAsync());

    private async Task DrainAndStopAllAsync()
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
        if (problems.Count > 0)
        {
            throw new MachineException(string.Join("; ", problems));
        }
    }

    /// <summary>A registry entry with a fresh namespace and veth names for one rescue system or QEMU boot of a server.</summary>
    private (RegistryEntry Entry, string NsVeth) NewEntry(long serverId, string kind)
    {
        int sequence;
        lock (_gate)
        {
            if (_shutDown)
            {
                throw new MachineException("the local cloud is shutting down");
            }
            sequence = ++_sequence & 0xFFFFFF;
        }
        var suffix = sequence.ToString("x", CultureInfo.InvariantCulture);
        var ns = $"drover-{_tag}-{suffix}-s{serverId}";
        var entry = new RegistryEntry
        {
            ServerId = serverId,
            Kind = kind,
            Namespace = ns,
            HostVeth = $"dv{_tag}{suffix}h",
            BackingFile = DiskPath(serverId),
            Marker = Path.Combine(Root, kind == "qemu" ? "qemu" : "rescue", ns),
        };
        return (entry, $"dv{_tag}{suffix}r");
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
