using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Drover.Core.Files;
using Drover.Core.Processes;
using Drover.LocalCloud.Machines;

namespace Drover.LocalCloud.Hosting;

/// <summary>
/// Runs the local cloud as a background process on 127.0.0.1: <c>up</c> (idempotent; recovers from a crash, a reboot or
/// a hung process), <c>down</c> (by its own PID, SIGTERM then SIGKILL, then a sweep of what a killed or crashed server
/// left on the host), <c>status</c>, <c>reset</c> (down, sweep, forget, and up again on the same endpoint).
/// Its endpoint and PID are in <c>local.json</c>, its token in <c>token</c> (0600), its state under <c>state/</c>;
/// everything it puts on the host is named from and recorded under that state directory.
/// </summary>
/// <param name="directory">Where its files live (<c>local.json</c>, <c>token</c>, <c>state/</c>, <c>local.log</c>).</param>
/// <param name="environment">The environment of the command that asks: the server runs with its HOME, TMPDIR and PATH.</param>
/// <param name="log">Where notices go (a hung server stopped, machines swept).</param>
/// <param name="serveCommand">The program and leading arguments that run <c>local serve</c> (the CLI itself).</param>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LocalCloudManager(string directory, Func<string, string?> environment, TextWriter log, LocalCloudServeCommand serveCommand)
{
    private static readonly TimeSpan _startTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How long a running local cloud that does not answer gets before 'up' takes it for hung.</summary>
    private static readonly TimeSpan _busyGrace = TimeSpan.FromSeconds(30);

    /// <summary>The machines directory's data folders, which a reset deletes even where leftovers keep the rest.</summary>
    private static readonly string[] _machineData = ["disks", "images", "console"];

    private string Dir => directory;
    private string InfoFile => Path.Combine(Dir, "local.json");
    private string TokenFile => Path.Combine(Dir, "token");
    private string StateDir => Path.Combine(Dir, "state");
    private string LogFile => Path.Combine(Dir, "local.log");

    public async Task<LocalCloudStatus> StatusAsync(CancellationToken cancellationToken)
    {
        var info = ReadInfo();
        if (info is null || !IsOurProcess(info.Pid))
        {
            return new LocalCloudStatus { Running = false, StateDirectory = StateDir, LogFile = LogFile, Machine = MachineSupportProbe.Probe() };
        }
        var token = ReadToken();
        var status = await ProbeAsync(info.Endpoint, token, cancellationToken);
        return new LocalCloudStatus
        {
            Running = status is not null,
            Pid = info.Pid,
            Endpoint = info.Endpoint,
            Token = token,
            StateDirectory = StateDir,
            LogFile = LogFile,
            Machine = status?.Machine ?? MachineSupportProbe.Probe(),
            Proxmox = status?.Proxmox is { } pve ? new LocalProxmoxStatus
            {
                Endpoint = pve.Endpoint,
                Node = pve.Node,
                TokenId = pve.TokenId,
                TokenSecret = File.Exists(Proxmox.PveCredentials.TokenSecretFile(StateDir)) ? File.ReadAllText(Proxmox.PveCredentials.TokenSecretFile(StateDir)).Trim() : null,
                Fingerprint = pve.Fingerprint,
            } : null,
        };
    }

    /// <summary>
    /// Starts the local cloud unless it is already up; returns its status. A recorded process that no longer answers
    /// is stopped first (by its PID); what a crashed or killed one left on the host, or what a reboot left in the state
    /// directory, the new process sweeps as it starts. The endpoint's port is kept where it is free.
    /// </summary>
    public async Task<LocalCloudStatus> UpAsync(CancellationToken cancellationToken)
    {
        var current = await StatusAsync(cancellationToken);
        if (current.Running)
        {
            return current;
        }
        Directory.CreateDirectory(Dir);
        // One 'up' or 'down' at a time per local cloud: parallel callers would start two servers on one state.
        using var exclusive = await LockAsync(cancellationToken);
        return await UpLockedAsync(cancellationToken);
    }

    private async Task<LocalCloudStatus> UpLockedAsync(CancellationToken cancellationToken, string? previousEndpoint = null)
    {
        var current = await StatusAsync(cancellationToken);
        if (current.Running)
        {
            return current;
        }
        var previous = ReadInfo();
        if (previous is not null && IsOurProcess(previous.Pid))
        {
            // Alive but not answering: busy (a reset stopping machines holds its state) or hung. Give it time first.
            var waited = Stopwatch.StartNew();
            while (waited.Elapsed < _busyGrace && IsOurProcess(previous.Pid))
            {
                await Task.Delay(TimeSpan.FromSeconds(1), TimeProvider.System, cancellationToken);
                current = await StatusAsync(cancellationToken);
                if (current.Running)
                {
                    return current;
                }
            }
            if (IsOurProcess(previous.Pid))
            {
                await log.WriteLineAsync($"the local cloud (pid {previous.Pid}) has not answered at {previous.Endpoint} for {_busyGrace.TotalSeconds:0} s; stopping it");
                await StopProcessAsync(previous.Pid, cancellationToken);
            }
        }
        var port = Uri.TryCreate(previousEndpoint ?? previous?.Endpoint, UriKind.Absolute, out var old) ? LocalCloudServer.PreferredOrAny(old.Port) : 0;
        var token = ReadToken() ?? CreateToken();
        var readyFile = Path.Combine(Dir, $"ready-{Environment.ProcessId}.json");
        File.Delete(readyFile);
        var (file, args) = (serveCommand.File, serveCommand.Arguments);
        // The server runs in the environment this command was given (its HOME, TMPDIR and PATH), not this process's.
        var serverEnvironment = new Dictionary<string, string?> { ["DROVER_LOCAL_TOKEN"] = token, ["DROVER_LOCAL_LOG"] = LogFile };
        foreach (var name in new[] { "HOME", "TMPDIR", "PATH" })
        {
            if (environment(name) is { } value)
            {
                serverEnvironment[name] = value;
            }
        }
        // setsid: the server outlives this command and its terminal; output goes to the log, not to our pipes.
        await ProcessRunner.CheckAsync("/bin/sh", [
            "-c", "if command -v setsid >/dev/null; then exec setsid \"$@\"; else exec \"$@\"; fi >>\"$DROVER_LOCAL_LOG\" 2>&1 </dev/null &", "sh",
            file, .. args, "local", "serve", "--state-dir", StateDir, "--ready-file", readyFile, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            new ProcessOptions { Environment = serverEnvironment }, cancellationToken);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < _startTimeout)
        {
            if (File.Exists(readyFile))
            {
                var ready = JsonSerializer.Deserialize(await File.ReadAllTextAsync(readyFile, cancellationToken), ReadyJsonContext.Default.ReadyInfo)!;
                var info = new LocalInfo { Pid = ready.Pid, Endpoint = ready.Endpoint };
                AtomicFile.WriteAllText(InfoFile, JsonSerializer.Serialize(info, LocalJsonContext.Default.LocalInfo));
                File.Delete(readyFile);
                var status = await StatusAsync(cancellationToken);
                if (status.Running)
                {
                    return status;
                }
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System, cancellationToken);
        }
        throw new LocalCloudException($"the local cloud did not start within {_startTimeout.TotalSeconds:0} s; see {LogFile}");
    }

    /// <summary>An exclusive lock on this local cloud's directory (flock through FileShare.None), waited for.</summary>
    private async Task<FileStream> LockAsync(CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(Path.Combine(Dir, "lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (waited.Elapsed < _startTimeout + TimeSpan.FromSeconds(30))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Stops the local cloud by its PID; state stays. Then removes what a server that is gone (killed, crashed) left on
    /// the host: what its registry names and what carries its names. Reports what could not be removed.
    /// </summary>
    public async Task<LocalCloudCleanup> DownAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Dir);
        using var exclusive = await LockAsync(cancellationToken);
        return await DownLockedAsync(cancellationToken);
    }

    private async Task<LocalCloudCleanup> DownLockedAsync(CancellationToken cancellationToken)
    {
        var info = ReadInfo();
        var wasRunning = info is not null && IsOurProcess(info.Pid);
        if (wasRunning)
        {
            await StopProcessAsync(info!.Pid, cancellationToken);
        }
        var sweep = await SweepAsync(cancellationToken);
        File.Delete(InfoFile);
        return new LocalCloudCleanup(wasRunning, sweep.Removed, sweep.Problems);
    }

    /// <summary>SIGTERM, which stops every machine gracefully, then SIGKILL if that takes too long.</summary>
    private static async Task StopProcessAsync(int pid, CancellationToken cancellationToken)
    {
        await SignalAsync(pid, "TERM", cancellationToken);
        var waited = Stopwatch.StartNew();
        // Longer than the host's own shutdown timeout (30 s): a busy machine may need it to tear every rescue system
        // and boot down itself; only then is SIGKILL and the sweep the fallback.
        while (IsOurProcess(pid) && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System, cancellationToken);
        }
        if (IsOurProcess(pid))
        {
            await SignalAsync(pid, "KILL", cancellationToken);
            waited.Restart();
            while (IsOurProcess(pid) && waited.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Once the server process is gone, sweeps its state directory's machines: a graceful stop leaves nothing; a SIGKILL,
    /// a crash or a reboot leaves processes, namespaces, loop devices or only their records. Only where it may (root).
    /// </summary>
    private async Task<SweepReport> SweepAsync(CancellationToken cancellationToken)
    {
        if (!MachineSupportProbe.CanSweep())
        {
            return SweepReport.Nothing;
        }
        var report = await MachineSweeper.SweepStateDirectoryAsync(StateDir, cancellationToken);
        if (report.Removed > 0)
        {
            await log.WriteLineAsync($"removed {report.Removed} machine(s) (rescue systems, QEMU boots) the local cloud left on this host");
        }
        return report;
    }

    /// <summary>
    /// Forgets every resource and starts afresh: stops the local cloud (if it runs), sweeps everything it and earlier
    /// runs left on the host, deletes its state, and starts it again on the same endpoint and token if it ran, so that
    /// machine support is probed anew (after 'bash scripts/setup', say). The local Proxmox VE keeps its token,
    /// certificate and port, and forgets its VMs and volumes. What could not be removed stays recorded in
    /// the state directory's registry for the next sweep, and is reported.
    /// </summary>
    public async Task<(LocalCloudCleanup Cleanup, LocalCloudStatus Status)> ResetAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Dir);
        using var exclusive = await LockAsync(cancellationToken);
        var endpoint = ReadInfo()?.Endpoint;
        var down = await DownLockedAsync(cancellationToken);
        var problems = down.Problems.ToList();
        if (Directory.Exists(StateDir))
        {
            var proxmox = Proxmox.PveCredentials.Keep(StateDir);
            ForgetState(leftovers: !down.Clean, problems);
            Proxmox.PveCredentials.Restore(StateDir, proxmox);
        }
        var cleanup = down with { Problems = problems };
        return (cleanup, down.WasRunning ? await UpLockedAsync(cancellationToken, endpoint) : await StatusAsync(cancellationToken));
    }

    /// <summary>
    /// Deletes the state directory. With <paramref name="leftovers"/>, keeps what records them for the next sweep: the
    /// machines directory's registry and its rescue and QEMU directories (the sweep's own business); disks, images
    /// and everything else go.
    /// </summary>
    private void ForgetState(bool leftovers, List<string> problems)
    {
        var machines = Path.GetDirectoryName(MachineSweeper.RegistryPath(StateDir))!;
        var doomed = leftovers
            ? Directory.EnumerateFileSystemEntries(StateDir).Where(e => e != machines)
                .Concat(_machineData.Select(d => Path.Combine(machines, d)))
            : [StateDir];
        foreach (var entry in doomed.ToList())
        {
            try
            {
                if (Directory.Exists(entry))
                {
                    Directory.Delete(entry, recursive: true);
                }
                else
                {
                    File.Delete(entry);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add($"{entry}: {e.Message}");
            }
        }
    }

    private static bool IsOurProcess(int pid)
    {
        try
        {
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
            return cmdline.Contains("serve") && cmdline.Contains("local");
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static async Task SignalAsync(int pid, string signal, CancellationToken cancellationToken)
    {
        // The shell's builtin kill: minimal systems may lack procps' kill binary.
        await ProcessRunner.RunAsync("/bin/sh", ["-c", "kill -s \"$1\" \"$2\"", "sh", signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], cancellationToken: cancellationToken);
    }

    private static async Task<ControlStatus?> ProbeAsync(string endpoint, string? token, CancellationToken cancellationToken)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            using var request = new HttpRequestMessage(HttpMethod.Get, ControlUri(endpoint, "status"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? "");
            using var response = await http.SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode
                ? JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(cancellationToken), LocalCloudJsonContext.Default.ControlStatus)
                : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private static Uri ControlUri(string endpoint, string path)
        => new(new Uri(endpoint), "/__localcloud/" + path);

    private LocalInfo? ReadInfo()
    {
        try
        {
            return File.Exists(InfoFile) ? JsonSerializer.Deserialize(File.ReadAllText(InfoFile), LocalJsonContext.Default.LocalInfo) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private string? ReadToken() => File.Exists(TokenFile) ? File.ReadAllText(TokenFile).Trim() : null;

    private string CreateToken()
    {
        var token = LocalCloudOptions.NewToken();
        // Created 0600 from the start; CreateNew fails rather than overwrite a token another 'up' just made.
        using (var stream = new FileStream(TokenFile, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(token);
        }
        return token;
    }
}
