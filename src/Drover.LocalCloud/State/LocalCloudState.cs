using Drover.Hcloud.Contracts;
using Drover.LocalCloud.Http;
using Drover.LocalCloud.Machines;

namespace Drover.LocalCloud.State;

/// <summary>
/// All resources of one local cloud, guarded by one lock. Every request runs through <see cref="Run{T}"/>:
/// take the lock, let finished actions take effect, do the work, save if anything changed.
/// Time comes from the injected <see cref="TimeProvider"/> only, so tests control it. With a machine runtime, actions
/// also wait for their real work (a rescue start, a disk copy), which runs outside the lock.
/// </summary>
public sealed partial class LocalCloudState
{
    private readonly Lock _lock = new();
    private readonly LocalCloudOptions _options;
    private readonly FaultInjector _faults;
    private readonly StateStore? _store;
    private readonly MachineRuntime? _machines;
    private StateDocument _doc;
    private bool _dirty;

    public LocalCloudState(LocalCloudOptions options, FaultInjector faults)
        : this(options, faults, null)
    {
    }

    internal LocalCloudState(LocalCloudOptions options, FaultInjector faults, MachineRuntime? machines)
    {
        _options = options;
        _faults = faults;
        _machines = machines;
        _store = options.StateDirectory is null ? null : new StateStore(options.StateDirectory);
        _doc = _store?.Load() ?? Fresh(null);
        if (_doc.AddressBlock < 0)
        {
            _doc.AddressBlock = PickAddressBlock();
            _dirty = true;
        }
        for (var attempt = 0; _machines is not null && !_machines.ClaimAddressBlock(BlockOf(_doc.AddressBlock)) && attempt < 5; attempt++)
        {
            if (_doc.Servers.Count > 0)
            {
                break; // Addresses are handed out already; a rescue start refuses any address that is routed elsewhere.
            }
            _doc.AddressBlock = PickAddressBlock();
            _dirty = true;
        }
        RecoverFromRestart();
        if (_machines is not null)
        {
            _machines.GuestPoweredOff += GuestPoweredOff;
        }
        _machines?.DeleteOrphans(_doc.Servers.Select(s => s.Server.Id).ToHashSet(), _doc.Images.Select(i => i.Id).ToHashSet());
        if (_store is not null && (_dirty || !File.Exists(_store.FilePath)))
        {
            _store.Save(_doc);
        }
        _dirty = false;
    }

    public Catalog Catalog { get; } = new();

    /// <summary>Raised (under the lock) after a server's power state changed: the hook for a machine runtime.</summary>
    public event Action<ServerRecord, string>? ServerPowerChanged;

    private DateTimeOffset Now => _options.TimeProvider.GetUtcNow();

    /// <summary>Runs one request's work atomically and persists the result.</summary>
    public T Run<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        lock (_lock)
        {
            Advance();
            try
            {
                return work();
            }
            finally
            {
                if (_dirty)
                {
                    _store?.Save(_doc);
                    _dirty = false;
                }
            }
        }
    }

    /// <summary>
    /// Forgets every resource (the catalog and system images come back); with machines, stops them all, deletes disks
    /// and sweeps what earlier runs left. Returns what could not be removed.
    /// </summary>
    public Machines.SweepReport Reset() => Run(() =>
    {
        var report = _machines?.ResetAsync().GetAwaiter().GetResult() ?? Machines.SweepReport.Nothing;
        _doc = Fresh(_doc.AddressBlock);
        _dirty = true;
        return report;
    });

    /// <summary>Makes every running action finish now.</summary>
    public int CompleteAllActions() => Run(() =>
    {
        var running = _doc.Actions.Where(a => !a.Applied).ToList();
        foreach (var a in running)
        {
            a.CompletesAt = Now;
        }
        Advance();
        return running.Count;
    });

    public (int Servers, int Images, int SshKeys, int Actions) Counts()
        => Run(() => (_doc.Servers.Count, _doc.Images.Count, _doc.SshKeys.Count, _doc.Actions.Count));

    private StateDocument Fresh(int? addressBlock)
    {
        var doc = new StateDocument { AddressBlock = addressBlock ?? PickAddressBlock() };
        doc.Images.AddRange(Catalog.SystemImages(() => doc.NextId++));
        return doc;
    }

    private long NextId()
    {
        _dirty = true;
        return _doc.NextId++;
    }

    private void Touch() => _dirty = true;

    /// <summary>
    /// Starts an action; it finishes after the configured duration and once its <paramref name="work"/> (started only with
    /// a machine runtime, and not when a fault is injected) has ended, or fails if a fault was injected or the work failed.
    /// </summary>
    private ActionRecord StartAction(string command, IEnumerable<ActionResource> resources, DateTimeOffset? after = null, Func<ActionRecord, Task>? work = null)
    {
        var start = after ?? Now;
        var duration = _options.ActionDurations.TryGetValue(command, out var d) ? d : _options.ActionDuration;
        var fault = _faults.TakeActionFault(command);
        var record = new ActionRecord
        {
            Id = NextId(),
            Command = command,
            Started = Now,
            CompletesAt = start + duration,
            Resources = [.. resources],
            Failure = fault is null ? null : new ActionError { Code = fault.Code, Message = fault.Message ?? $"injected failure of {command}" },
        };
        _doc.Actions.Add(record);
        if (fault is null && work is not null && _machines is not null)
        {
            record.HasWork = true;
            record.Work = TrackAsync(record, work);
        }
        if (!record.IsRunning(Now))
        {
            Advance();
        }
        return record;
    }

    private static ActionResource ServerResource(long id) => new() { Id = id, Type = "server" };

    private bool HasRunningAction(string type, long id)
        => _doc.Actions.Any(a => !a.Applied && a.Resources.Any(r => r.Type == type && r.Id == id));

    /// <summary>Applies the effects of every action whose time has come, oldest first.</summary>
    private void Advance()
    {
        var now = Now;
        foreach (var action in _doc.Actions.Where(a => !a.Applied && !a.IsRunning(now)).OrderBy(a => a.CompletesAt).ThenBy(a => a.Id).ToList())
        {
            action.Applied = true;
            Touch();
            if (action.Failure is null && action.Work is { IsFaulted: true } or { IsCanceled: true })
            {
                var error = action.Work.Exception?.InnerExceptions.FirstOrDefault();
                action.Failure = new ActionError { Code = "action_failed", Message = error?.Message ?? $"the work of {action.Command} was cancelled" };
            }
            if (action.Failure is null)
            {
                Complete(action);
            }
            else
            {
                Fail(action);
            }
            SettlePowerOffDuringActions(action);
        }
    }

    /// <summary>
    /// A guest that powered itself off while an action on its server was running (a fast guest, a slow host: it can
    /// be off before its start action completes) is off once the last of those actions is done, whatever they set.
    /// </summary>
    private void SettlePowerOffDuringActions(ActionRecord action)
    {
        if (action.Resources.FirstOrDefault(r => r.Type == "server")?.Id is not { } id || HasRunningAction("server", id)
            || !_poweredOffDuringAction.Remove(id))
        {
            return;
        }
        if (FindServer(id) is { } record && record.Server.Status == ServerStatus.Running && _machines?.QemuOf(id) is null)
        {
            SetStatus(record, ServerStatus.Off);
        }
    }

    private void Complete(ActionRecord action)
    {
        var serverId = action.Resources.FirstOrDefault(r => r.Type == "server")?.Id;
        var server = serverId is { } sid ? _doc.Servers.FirstOrDefault(s => s.Server.Id == sid) : null;
        switch (action.Command)
        {
            case "create_server" when server is not null:
                var starting = _doc.Actions.Any(a => !a.Applied && a.Command == "start_server" && a.Resources.Any(r => r.Id == server.Server.Id));
                SetStatus(server, starting ? ServerStatus.Starting : ServerStatus.Off);
                break;
            case "start_server" or "reset_server" or "reboot_server" or "rebuild_server" when server is not null:
                server.InRescue = server.Server.RescueEnabled;
                if (server.InRescue)
                {
                    server.Server = server.Server with { RescueEnabled = false };
                }
                SetStatus(server, ServerStatus.Running);
                break;
            case "stop_server" or "shutdown_server" when server is not null:
                server.InRescue = false;
                SetStatus(server, ServerStatus.Off);
                break;
            case "create_image":
                var imageId = action.Resources.FirstOrDefault(r => r.Type == "image")?.Id;
                var index = _doc.Images.FindIndex(i => i.Id == imageId);
                if (index >= 0)
                {
                    var image = _doc.Images[index];
                    _doc.Images[index] = image with { Status = ImageStatus.Available, ImageSize = action.MeasuredImageSize ?? Math.Round(0.4 + (image.DiskSize * 0.02), 2) };
                }
                break;
            case "delete_server" when server is not null:
                _doc.Servers.Remove(server);
                ServerPowerChanged?.Invoke(server, "deleted");
                break;
            case "change_server_type" when server is not null:
                SetStatus(server, server.Server.Status);
                break;
        }
    }

    private void Fail(ActionRecord action)
    {
        var serverId = action.Resources.FirstOrDefault(r => r.Type == "server")?.Id;
        var server = serverId is { } sid ? _doc.Servers.FirstOrDefault(s => s.Server.Id == sid) : null;
        switch (action.Command)
        {
            case "create_image":
                var imageId = action.Resources.FirstOrDefault(r => r.Type == "image")?.Id;
                _doc.Images.RemoveAll(i => i.Id == imageId);
                if (imageId is { } failedImage)
                {
                    _machines?.DeleteImage(failedImage);
                }
                break;
            case "create_server" when server is not null:
                _doc.Servers.Remove(server);
                _machines?.Delete(server.Server.Id);
                break;
            case "delete_server" or "rebuild_server" when server is not null:
                SetStatus(server, ServerStatus.Off);
                break;
            case "start_server" or "reset_server" or "reboot_server" when server is not null:
                SetStatus(server, ServerStatus.Off);
                break;
            case "stop_server" or "shutdown_server" when server is not null:
                SetStatus(server, ServerStatus.Running);
                break;
        }
    }

    private void SetStatus(ServerRecord server, ServerStatus status)
    {
        var before = server.Server.Status;
        server.Server = server.Server with { Status = status };
        Touch();
        if (before != status)
        {
            ServerPowerChanged?.Invoke(server, status.Value);
        }
    }

    /// <summary>The public view of an action right now.</summary>
    public CloudAction View(ActionRecord action) => action.View(Now);

    public CloudAction? GetAction(long id) => _doc.Actions.FirstOrDefault(a => a.Id == id) is { } a ? View(a) : null;

    public IReadOnlyList<CloudAction> GetActions(IEnumerable<long> ids)
        => [.. ids.Distinct().Select(id => _doc.Actions.FirstOrDefault(a => a.Id == id)).OfType<ActionRecord>().Select(View)];

    public IEnumerable<CloudAction> ActionsOf(string type, long id)
        => _doc.Actions.Where(a => a.Resources.Any(r => r.Type == type && r.Id == id)).Select(View);

    private static ApiException Invalid(string field, string problem) => ApiException.InvalidInput(field, problem);

    /// <summary>Refuses a <c>localcloud/firmware</c> label a server of <paramref name="architecture"/> cannot boot with.</summary>
    private static void ValidateFirmwareLabel(IReadOnlyDictionary<string, string>? labels, Architecture architecture)
    {
        if (FirmwareLabel.Parse(labels, architecture).Problem is { } problem)
        {
            throw Invalid("labels", problem);
        }
    }

    private static void ValidateLabels(IReadOnlyDictionary<string, string>? labels)
    {
        if (labels is null)
        {
            return;
        }
        var problems = Hcloud.Labels.LabelValidation.Problems(labels);
        if (problems.Count > 0)
        {
            throw Invalid("labels", string.Join("; ", problems));
        }
    }
}
