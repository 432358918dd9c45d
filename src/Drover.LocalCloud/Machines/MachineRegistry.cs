using System.Text.Json;
using System.Text.Json.Serialization;
using Drover.Core.Files;

namespace Drover.LocalCloud.Machines;

/// <summary>
/// What one local cloud created on the host (<c>registry.json</c> in its machines directory), written before and after
/// each step so that a sweep after a crash finds everything, and touches nothing else.
/// </summary>
internal sealed class MachineRegistry
{
    public const string FileName = "registry.json";

    private readonly Lock _gate = new();
    private readonly RegistryDocument _document;

    /// <summary>
    /// Takes over the registry in <paramref name="directory"/>: entries and routes an earlier run left (and a sweep
    /// could not remove) stay listed, so that a later sweep still finds them; the owner becomes <paramref name="owner"/>.
    /// </summary>
    public MachineRegistry(string directory, ProcessIdentity owner)
    {
        FilePath = Path.Combine(directory, FileName);
        var previous = Read(FilePath);
        _document = new RegistryDocument
        {
            Owner = owner,
            Entries = previous?.Entries ?? [],
            Routes = previous?.Routes ?? [],
            Sequence = previous?.Sequence ?? 0,
        };
        Save();
    }

    public string FilePath { get; }

    /// <summary>The entries listed now (a copy).</summary>
    public IReadOnlyList<RegistryEntry> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _document.Entries];
            }
        }
    }

    /// <summary>The routes listed now (a copy).</summary>
    public IReadOnlyList<string> Routes
    {
        get
        {
            lock (_gate)
            {
                return [.. _document.Routes];
            }
        }
    }

    /// <summary>The next machine sequence number, saved before it is used: names are never reused by one cloud.</summary>
    public long NextSequence()
    {
        lock (_gate)
        {
            var next = ++_document.Sequence;
            Save();
            return next;
        }
    }

    /// <summary>Adds or replaces (by namespace) an entry and saves.</summary>
    public void Put(RegistryEntry entry)
    {
        lock (_gate)
        {
            _document.Entries.RemoveAll(e => e.Namespace == entry.Namespace);
            _document.Entries.Add(entry);
            Save();
        }
    }

    /// <summary>Records a host route (as <c>ip route</c> arguments, e.g. <c>unreachable 198.18.7.0/24 metric N</c>) before it is added.</summary>
    public void AddRoute(string route)
    {
        lock (_gate)
        {
            _document.Routes.Add(route);
            Save();
        }
    }

    /// <summary>Forgets a route once it was deleted.</summary>
    public void RemoveRoute(string route)
    {
        lock (_gate)
        {
            _document.Routes.Remove(route);
            Save();
        }
    }

    /// <summary>Forgets an entry once everything it names is gone, and saves.</summary>
    public void Remove(RegistryEntry entry)
    {
        lock (_gate)
        {
            _document.Entries.RemoveAll(e => e.Namespace == entry.Namespace);
            Save();
        }
    }

    public static RegistryDocument? Read(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllText(path), MachineJsonContext.Default.RegistryDocument) : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            // Unreadable, or removed between the check and the read: the sweep by name still finds what it named.
            return null;
        }
    }

    /// <summary>Writes a registry document atomically (temporary file, then rename); creates the directory on demand.</summary>
    public static void Write(string path, RegistryDocument document)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(document, MachineJsonContext.Default.RegistryDocument));
    }

    private void Save()
    {
        lock (_gate)
        {
            Write(FilePath, _document);
        }
    }
}

/// <summary>The registry file: who owns it, and what it created.</summary>
internal sealed class RegistryDocument
{
    public required ProcessIdentity Owner { get; init; }
    public List<RegistryEntry> Entries { get; init; } = [];

    /// <summary>The last machine sequence number used in a name (<see cref="MachineNames"/>).</summary>
    public long Sequence { get; set; }

    /// <summary>Host routes this instance added (<c>ip route</c> arguments).</summary>
    public List<string> Routes { get; init; } = [];

    [JsonIgnore]
    public bool IsEmpty => Entries.Count == 0 && Routes.Count == 0;
}

/// <summary>One rescue system's or QEMU boot's host resources. Everything is recorded before it is created.</summary>
internal sealed class RegistryEntry
{
    public long ServerId { get; init; }

    /// <summary><c>rescue</c> (sshd over a loop device) or <c>qemu</c> (a boot from the disk); null in older registries (rescue).</summary>
    public string? Kind { get; init; }
    public required string Namespace { get; init; }
    public required string HostVeth { get; init; }

    /// <summary>The server's disk; loop devices are found by it (<c>losetup -j</c>), never by a recorded device name alone.</summary>
    public required string BackingFile { get; init; }

    /// <summary>The rescue system's own directory: a process is ours only if its command line names it.</summary>
    public required string Marker { get; init; }

    public string? LoopDevice { get; set; }
    public int? Pid { get; set; }
}

/// <summary>A process as (PID, start time in clock ticks since boot), so that a reused PID is not mistaken for it.</summary>
internal sealed record ProcessIdentity(int Pid, long StartTime)
{
    public static ProcessIdentity Current() => new(Environment.ProcessId, StartTimeOf(Environment.ProcessId) ?? 0);

    /// <summary>No process (PID 0 is never one of ours): the owner of a registry whose owner is unknown.</summary>
    public static ProcessIdentity Nobody { get; } = new(0, 0);

    /// <summary>Whether this very process still runs (not a later one with the same PID, and not a zombie).</summary>
    public bool IsAlive() => StartTimeOf(Pid) is { } start && start == StartTime;

    /// <summary>
    /// <see cref="IsAlive"/>, once a process on its way out has gone: a SIGKILLed owner stays in <c>/proc</c> for a
    /// moment while the kernel tears it down (its address space, and with it its command line, already released; not
    /// yet a zombie). Waits up to 10 s for that, never for a process that still runs.
    /// </summary>
    public bool IsAliveOnceSettled()
    {
        var waited = TimeProvider.System.GetTimestamp();
        while (IsExiting() && TimeProvider.System.GetElapsedTime(waited) < TimeSpan.FromSeconds(10))
        {
            Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System).GetAwaiter().GetResult();
        }
        return IsAlive();
    }

    /// <summary>Still in <c>/proc</c>, not a zombie, but with an empty command line: a user process being torn down.</summary>
    private bool IsExiting()
    {
        if (!IsAlive())
        {
            return false;
        }
        try
        {
            return File.ReadAllBytes($"/proc/{Pid}/cmdline").Length == 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Field 22 of <c>/proc/PID/stat</c>, or null when there is no such process or it is a zombie.</summary>
    public static long? StartTimeOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[0] is "Z" or "X" ? null : long.Parse(fields[19], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(RegistryDocument))]
internal sealed partial class MachineJsonContext : JsonSerializerContext;
