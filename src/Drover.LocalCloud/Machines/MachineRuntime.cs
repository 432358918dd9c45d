using System.Globalization;

namespace Drover.LocalCloud.Machines;

/// <summary>
/// The real side of servers: each server's disk (a sparse file), its rescue system while it runs, snapshot disks, and
/// the file server rescue systems download from. Methods return at once with a task for the action to wait on; work on
/// one server runs in order (a chain per server), never under the API lock.
/// </summary>
/// <remarks>
/// Layout under <see cref="Root"/>: <c>registry.json</c> (what exists on the host), <c>disks/server-ID.raw</c>,
/// <c>images/image-ID.raw</c>, <c>rescue/NAMESPACE/</c> (sshd_config, host key, authorized_keys, rescue.sh, logs).
/// </remarks>
internal sealed class MachineRuntime : IAsyncDisposable
{
    /// <summary>The machines directory's name inside a state directory.</summary>
    public const string DirectoryName = "machines";

    /// <summary>The host's address as rescue systems see it (on every host-side veth): the file server listens here.</summary>
    public const string HostAddress = "198.19.255.254";

    private const long GiB = 1L << 30;
    private static readonly string[] _dataFolders = ["disks", "images"];
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

    public string DiskPath(long serverId) => Path.Combine(Root, "disks", string.Create(CultureInfo.InvariantCulture, $"server-{serverId}.raw"));

    public string ImagePath(long imageId) => Path.Combine(Root, "images", string.Create(CultureInfo.InvariantCulture, $"image-{imageId}.raw"));

    /// <summary><c>create_server</c>: an empty sparse disk, or a sparse copy of a snapshot's disk when it has one.</summary>
    public Task CreateDisk(long serverId, int diskGb, long? fromImageId) => Enqueue(serverId, ct => Task.Run(() => WriteDisk(serverId, diskGb, fromImageId, ct), ct));

    /// <summary><c>rebuild</c>: stops a rescue system and replaces the disk like <see cref="CreateDisk"/>.</summary>
    public Task Rebuild(long serverId, int diskGb, long? fromImageId) => Enqueue(serverId, async ct =>
    {
        await StopRescueAsync(serverId, ct);
        await Task.Run(() => WriteDisk(serverId, diskGb, fromImageId, ct), ct);
    });

    /// <summary><c>change_type</c> with a bigger disk: grows the disk file.</summary>
    public Task ResizeDisk(long serverId, int diskGb) => Enqueue(serverId, _ =>
    {
        if (File.Exists(DiskPath(serverId)))
        {
            SparseFiles.Grow(DiskPath(serverId), diskGb * GiB);
        }
        return Task.CompletedTask;
    });

    /// <summary><c>poweron</c>/<c>reset</c>/<c>reboot</c>: stops a running rescue system, then starts one when <paramref name="rescue"/> is given.</summary>
    public Task Boot(long serverId, RescueSpec? rescue) => Enqueue(serverId, async ct =>
    {
        await StopRescueAsync(serverId, ct);
        if (rescue is not null)
        {
            await StartRescueAsync(rescue, ct);
        }
    });

    /// <summary><c>poweroff</c>/<c>shutdown</c>: stops the rescue system, if one runs.</summary>
    public Task PowerOff(long serverId) => Enqueue(serverId, ct => StopRescueAsync(serverId, ct));

    /// <summary><c>delete</c>: stops the rescue system and deletes the disk.</summary>
    public Task Delete(long serverId) => Enqueue(serverId, async ct =>
    {
        await StopRescueAsync(serverId, ct);
        File.Delete(DiskPath(serverId));
    });

    /// <summary><c>create_image</c>: copies the disk sparsely to the image store; returns the compressed data size in GB.</summary>
    public Task<double> Snapshot(long serverId, long imageId, int diskGb) => Enqueue(serverId, async ct =>
    {
        var disk = DiskPath(serverId);
        if (!File.Exists(disk))
        {
            SparseFiles.CreateEmpty(disk, diskGb * GiB);
        }
        if (RescueOf(serverId)?.Entry.LoopDevice is { } loop)
        {
            await HostCommand.RunAsync("blockdev", ["--flushbufs", loop], ct);
        }
        var compressed = await Task.Run(() =>
        {
            using var meter = new CompressedSizeMeter();
            SparseFiles.Copy(disk, ImagePath(imageId), diskGb * GiB, meter.Input, ct);
            return meter.Finish();
        }, ct);
        return (double)compressed / GiB;
    });

    /// <summary>Deletes a snapshot's stored disk (after work that may still read it).</summary>
    public void DeleteImage(long imageId)
    {
        var path = ImagePath(imageId);
        File.Delete(path);
        File.Delete(path + ".partial");
    }

    /// <summary>Where a server's disk and rescue system are, for the control API.</summary>
    public (string? DiskPath, RescueSystem? Rescue) Describe(long serverId)
        => (File.Exists(DiskPath(serverId)) ? DiskPath(serverId) : null, RescueOf(serverId));

    public string? ImageDisk(long imageId) => File.Exists(ImagePath(imageId)) ? ImagePath(imageId) : null;

    /// <summary>Deletes disks and image disks that no server or image in the state refers to (left by a crash).</summary>
    public void DeleteOrphans(IReadOnlySet<long> serverIds, IReadOnlySet<long> imageIds)
    {
        Orphans("disks", "server-", serverIds);
        Orphans("images", "image-", imageIds);
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
        lock (_gate)
        {
            running = [.. _rescues.Values];
            _rescues.Clear();
        }
        var problems = new List<string>();
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

    private async Task StartRescueAsync(RescueSpec spec, CancellationToken cancellationToken)
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
        var ns = $"drover-{_tag}-{suffix}-s{spec.ServerId}";
        var entry = new RegistryEntry
        {
            ServerId = spec.ServerId,
            Namespace = ns,
            HostVeth = $"dv{_tag}{suffix}h",
            BackingFile = DiskPath(spec.ServerId),
            Marker = Path.Combine(Root, "rescue", ns),
        };
        var rescue = await RescueSystem.StartAsync(spec, entry, $"dv{_tag}{suffix}r", _registry, cancellationToken);
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

    private void WriteDisk(long serverId, int diskGb, long? fromImageId, CancellationToken cancellationToken)
    {
        var disk = DiskPath(serverId);
        if (fromImageId is { } image && File.Exists(ImagePath(image)))
        {
            SparseFiles.Copy(ImagePath(image), disk, diskGb * GiB, sink: null, cancellationToken);
        }
        else
        {
            SparseFiles.CreateEmpty(disk, diskGb * GiB);
        }
    }

    private void Orphans(string folder, string prefix, IReadOnlySet<long> keep)
    {
        var dir = Path.Combine(Root, folder);
        if (!Directory.Exists(dir))
        {
            return;
        }
        foreach (var file in Directory.GetFiles(dir))
        {
            var name = Path.GetFileName(file);
            var id = name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(".raw", StringComparison.Ordinal)
                && long.TryParse(name[prefix.Length..^4], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : (long?)null;
            if (id is null || !keep.Contains(id.Value))
            {
                File.Delete(file);
            }
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
