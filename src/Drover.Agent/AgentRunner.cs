using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Drover.Core.Processes;

namespace Drover.Agent;

/// <summary>
/// One run of the agent: the steps in order, each logged as <c>drover-agent: STEP DETAIL</c> and recorded for the
/// status file; the first failing step ends the run (no marker, so the next boot tries again).
/// </summary>
internal sealed class AgentRunner(AgentOptions options, TextWriter log)
{
    public const string Prefix = "drover-agent: ";
    public const string SerialPrefix = "DROVER-AGENT";

    private static readonly HttpStatusCode[] _noStatuses = [];
    private static readonly HttpStatusCode[] _absentStatuses = [HttpStatusCode.NoContent, HttpStatusCode.NotFound];

    private readonly RootFs _fs = new(options.Root);
    private readonly List<StepResult> _steps = [];
    private INoCloudMedia? _media;
    private string? _hostname, _instanceId, _source;
    private NoCloudSeed? _seed;
    private ConvergeResult? _converge;
    private bool _newInstance;

    private INoCloudMedia Media => _media ??= options.NoCloudMedia ?? new BlockDeviceMedia(_fs, options);

    /// <summary>
    /// <c>--instance-check</c>: early in boot (before sshd), without network. A marker from another instance means the
    /// disk came from a snapshot of another server (or, on NoCloud, the drive names another instance-id: a clone, or
    /// changed user-data or network): its marker and its SSH host keys go, so that the host-key unit makes new ones
    /// before sshd starts and the agent later runs a whole first boot. Returns the exit code.
    /// </summary>
    public async Task<int> InstanceCheckAsync(CancellationToken cancellationToken)
    {
        var (previous, current, foreign) = await MarkerOwnerAsync(cancellationToken);
        if (!foreign)
        {
            Log("instance-check", previous is null ? "no marker: a first boot" : string.IsNullOrEmpty(current) ? "no instance-id to compare: the marker stands" : $"instance {current}: the marker is this instance's");
            return 0;
        }
        try
        {
            var keys = Directory.Exists(_fs.Path(AgentPaths.SshDir)) ? Directory.GetFiles(_fs.Path(AgentPaths.SshDir), "ssh_host_*") : [];
            foreach (var key in keys)
            {
                File.Delete(key);
            }
            File.Delete(_fs.Path(AgentPaths.Marker));
            Log("instance-check", $"{AgentPaths.Marker} is from instance {previous}, this is {current}: removed it and {keys.Length} SSH host key file(s) of that server; this boot is a first boot");
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log("instance-check", $"failed: {e.Message}");
            return 1;
        }
    }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (options.InstanceCheck)
        {
            return await InstanceCheckAsync(cancellationToken);
        }
        if (File.Exists(_fs.Path(AgentPaths.Marker)))
        {
            var (previous, current, foreign) = await MarkerOwnerAsync(cancellationToken);
            if (foreign)
            {
                // A server made from a snapshot of a converged one: the marker came with the disk. On NoCloud also a
                // changed user-data or network-config (Proxmox hashes both into the instance-id), as with cloud-init.
                _newInstance = true;
                Log("new-instance", $"{AgentPaths.Marker} is from instance {previous}, this is {current} ({(MarkerSource(_fs.ReadText(AgentPaths.Marker)) == AgentStatus.SourceNoCloud ? "the NoCloud drive's meta-data" : AgentPaths.DmiSerial)}): running the first boot again");
            }
            else if (!options.Force)
            {
                Log("done", $"{AgentPaths.Marker} exists for this instance: a previous run finished, nothing to do (--force runs again)");
                return 0;
            }
        }

        var started = options.Time.GetUtcNow();
        var startTimestamp = options.Time.GetTimestamp();
        Log("start", $"metadata {options.MetadataUrl} or a NoCloud drive, root {options.Root}{(options.IsLiveSystem ? "" : " (not the live system: no system calls)")}");
        string? error = null;
        try
        {
            await RunStepsAsync(started + options.Timeout, cancellationToken);
        }
        catch (AgentException e)
        {
            error = e.Message;
        }
        catch (OperationCanceledException)
        {
            error = "interrupted";
        }

        var elapsed = options.Time.GetElapsedTime(startTimestamp);
        var convergeTime = TimeSpan.FromSeconds(_converge?.Seconds ?? 0);
        var status = new AgentStatus
        {
            Status = error is null ? AgentStatus.StatusOk : AgentStatus.StatusError,
            Hostname = _hostname,
            InstanceId = _instanceId,
            Source = _source,
            Started = started,
            Finished = options.Time.GetUtcNow(),
            AgentSeconds = Math.Round((elapsed - convergeTime).TotalSeconds, 3),
            Converge = _converge,
            Steps = [.. _steps],
            Error = error,
        };
        if (TryWriteStatusAndMarker(status) is { } writeError && error is null)
        {
            error = writeError;
            _ = TryWriteStatusAndMarker(status with { Status = AgentStatus.StatusError, Error = error });
        }

        Serial(SerialLine(error, elapsed - convergeTime, convergeTime));
        return error is null ? 0 : 1;
    }

    /// <summary>The source chosen by the first probe (or the retries after it).</summary>
    private sealed record SourceChoice(string Source, byte[]? Metadata, string? Device, int Attempts);

    /// <summary>What either source gives the common steps.</summary>
    private sealed record Configuration(string? Hostname, string InstanceId, byte[]? UserData, IReadOnlyList<string> Keys, List<(string Name, string Content)> NetworkFiles);

    private async Task RunStepsAsync(DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        using var http = MetadataClient.CreateHttpClient();
        var client = new MetadataClient(http, options, deadline);

        var choice = await StepAsync("select-source", async () =>
        {
            var c = await SelectSourceAsync(client, cancellationToken);
            _source = c.Source;
            return (c, c.Source == AgentStatus.SourceHetzner
                ? $"source: {c.Source} ({Attempts(c.Attempts)})"
                : $"source: {c.Source} (drive {c.Device}; the metadata service did not answer, {Attempts(c.Attempts)})");
        });
        var config = choice.Source == AgentStatus.SourceHetzner
            ? await HetznerStepsAsync(client, choice, cancellationToken)
            : await NoCloudStepsAsync(choice.Device!, cancellationToken);

        if (_newInstance)
        {
            await StepAsync("ssh-host-keys", async () => (0, await SystemSteps.RenewHostKeysAsync(_fs, options, log, cancellationToken)));
        }
        Step("hostname", () => (0, config.Hostname is null
            ? "no hostname in meta-data (local-hostname) or user-data (hostname, fqdn): left as it is"
            : SystemSteps.Hostname(_fs, options, config.Hostname)));
        Step("authorized-keys", () => (0, SystemSteps.AuthorizedKeys(_fs, config.Keys)));
        await StepAsync("network", async () => (0, await SystemSteps.NetworkAsync(_fs, options, config.NetworkFiles, log, cancellationToken)));

        var hostname = config.Hostname ?? _fs.ReadText(AgentPaths.Hostname)?.Trim() ?? "";
        var plan = Step("flake-target", () =>
        {
            var p = ConvergePlan.From(config.UserData, hostname);
            if (p.Flake is not null)
            {
                _fs.WriteText(AgentPaths.FlakeTarget, p.Flake + "\n", RootFs.Public);
            }

            return (p, p.Flake is null ? "no flake named in the user-data" : $"{AgentPaths.FlakeTarget} = {p.Flake}{(p.Impure ? " (impure evaluation)" : "")}");
        });
        await StepAsync("converge", async () => (0, await ConvergeAsync(plan, hostname, config.InstanceId, cancellationToken)));
    }

    /// <summary>
    /// One short probe of the metadata service (<see cref="AgentOptions.ProbeTimeout"/>): an answer means Hetzner.
    /// Else a NoCloud drive means NoCloud. Else both are tried again with backoff until the deadline.
    /// </summary>
    private async Task<SourceChoice> SelectSourceAsync(MetadataClient client, CancellationToken cancellationToken)
    {
        const string NoDrive = " and no NoCloud drive (label cidata) was found";
        var delay = options.InitialRetryDelay;
        var timeout = options.ProbeTimeout < options.RequestTimeout ? options.ProbeTimeout : options.RequestTimeout;
        for (var attempt = 1; ; attempt++)
        {
            var (answer, problem) = await client.TryOnceAsync("metadata", _noStatuses, timeout, cancellationToken);
            if (answer is not null)
            {
                return new SourceChoice(AgentStatus.SourceHetzner, answer.Body, null, attempt);
            }

            if (await Media.FindAsync(cancellationToken) is { } device)
            {
                return new SourceChoice(AgentStatus.SourceNoCloud, null, device, attempt);
            }

            delay = await client.BackOffAsync("metadata", attempt, problem!, delay, cancellationToken, NoDrive);
            timeout = options.RequestTimeout;
        }
    }

    private async Task<Configuration> HetznerStepsAsync(MetadataClient client, SourceChoice choice, CancellationToken cancellationToken)
    {
        var metadataYaml = Step("fetch-metadata", () =>
            (Encoding.UTF8.GetString(choice.Metadata!), $"{choice.Metadata!.Length} bytes, {Attempts(choice.Attempts)}"));
        var privateYaml = await StepAsync("fetch-private-networks", async () =>
        {
            var answer = await client.GetAsync("metadata/private-networks", _absentStatuses, cancellationToken);
            return answer.Body is null
                ? ((string?)null, $"none, {Attempts(answer.Attempts)}")
                : (Encoding.UTF8.GetString(answer.Body), $"{answer.Body.Length} bytes, {Attempts(answer.Attempts)}");
        });
        var userData = await StepAsync("fetch-userdata", async () =>
        {
            var answer = await client.GetAsync("userdata", _absentStatuses, cancellationToken);
            return (answer.Body, answer.Body is null ? $"none, {Attempts(answer.Attempts)}" : $"{answer.Body.Length} bytes, {Attempts(answer.Attempts)}");
        });
        var metadata = Step("parse-metadata", () =>
        {
            var m = HcloudMetadata.Parse(metadataYaml, privateYaml);
            return (m, $"hostname={m.Hostname} instance-id={m.InstanceId} keys={m.PublicKeys.Count} nics={m.Interfaces.Count} private-networks={m.PrivateNetworks.Count}");
        });
        _hostname = metadata.Hostname;
        _instanceId = metadata.InstanceId;

        Step("write-metadata", () =>
        {
            _fs.WriteText(AgentPaths.MetadataJson, metadata.Document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n", RootFs.Private);
            return (0, $"{AgentPaths.MetadataJson} (0600)");
        });
        Step("write-userdata", () =>
        {
            _fs.WriteBytes(AgentPaths.UserData, userData ?? [], RootFs.Private);
            return (0, $"{AgentPaths.UserData} (0600, {(userData is null ? "empty: no user-data" : $"{userData.Length} bytes")})");
        });
        return new Configuration(metadata.Hostname, metadata.InstanceId, userData, metadata.PublicKeys, NetworkdFiles.Render(metadata));
    }

    private async Task<Configuration> NoCloudStepsAsync(string device, CancellationToken cancellationToken)
    {
        var seed = await StepAsync("read-nocloud", async () =>
        {
            var s = _seed?.Device == device ? _seed : await Media.ReadAsync(device, cancellationToken);
            return (s, $"{device}: meta-data {Size(s.MetaData)}, user-data {(s.UserData is null ? "none" : $"{s.UserData.Length} bytes")}, network-config {Size(s.NetworkConfig)}");
        });
        var data = Step("parse-nocloud", () =>
        {
            var d = NoCloudData.Parse(seed);
            return (d, $"hostname={d.Hostname ?? "-"} instance-id={d.InstanceId} keys={d.PublicKeys.Count} nics={d.Interfaces.Count}");
        });
        _hostname = data.Hostname;
        _instanceId = data.InstanceId;

        Step("write-metadata", () =>
        {
            _fs.WriteText(AgentPaths.NoCloudJson, data.Document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n", RootFs.Private);
            return (0, $"{AgentPaths.NoCloudJson} (0600)");
        });
        Step("write-userdata", () =>
        {
            _fs.WriteBytes(AgentPaths.NoCloudUserData, seed.UserData ?? [], RootFs.Private);
            return (0, $"{AgentPaths.NoCloudUserData} (0600, {(seed.UserData is null ? "empty: no user-data" : $"{seed.UserData.Length} bytes")})");
        });
        return new Configuration(data.Hostname, data.InstanceId, seed.UserData, data.PublicKeys, NetworkdFiles.RenderNoCloud(data.Interfaces));
    }

    private static string Size(string? text) => text is null ? "none" : $"{Encoding.UTF8.GetByteCount(text)} bytes";

    private async Task<string> ConvergeAsync(ConvergePlan plan, string hostname, string instanceId, CancellationToken cancellationToken)
    {
        if (plan.Command is null)
        {
            return "no converge command";
        }

        Log("converge", $"running /bin/sh -c {plan.Command}");
        var environment = new Dictionary<string, string>
        {
            ["DROVER_HOSTNAME"] = hostname,
            ["DROVER_INSTANCE_ID"] = instanceId,
            ["DROVER_ROOT"] = options.Root,
            ["DROVER_SOURCE"] = _source ?? "",
        };
        if (plan.Flake is not null)
        {
            environment["DROVER_FLAKE"] = plan.Flake;
        }

        var start = options.Time.GetTimestamp();
        int exitCode;
        try
        {
            exitCode = await ShellCommand.RunAsync("/bin/sh", ["-c", plan.Command], Prefix + "converge| ", log, environment,
                options.IsLiveSystem ? "/" : options.Root, cancellationToken);
        }
        catch (ProgramNotFoundException e)
        {
            _converge = new ConvergeResult(plan.Command, null, Seconds(start));
            throw new AgentException($"could not start the converge command: {e.Message}", e);
        }

        var result = _converge = new ConvergeResult(plan.Command, exitCode, Seconds(start));
        return exitCode == 0
            ? $"exit 0 after {result.Seconds.ToString("0.###", CultureInfo.InvariantCulture)}s"
            : throw new AgentException($"the converge command exited with {exitCode}");
    }

    /// <summary>
    /// The instance the marker was written for, this machine's instance-id, and whether the marker belongs to another
    /// instance (both known and different). A marker from a NoCloud run is compared with the NoCloud drive's
    /// instance-id (read when a drive is there), any other with the SMBIOS serial (the disk came from a snapshot of
    /// another server).
    /// </summary>
    private async Task<(string? Previous, string? Current, bool Foreign)> MarkerOwnerAsync(CancellationToken cancellationToken)
    {
        var marker = File.Exists(_fs.Path(AgentPaths.Marker)) ? _fs.ReadText(AgentPaths.Marker) : null;
        var previous = MarkerInstanceId(marker);
        var current = previous is not null && MarkerSource(marker) == AgentStatus.SourceNoCloud ? await NoCloudInstanceIdAsync(cancellationToken) : ReadSerial();
        return (previous, current, previous is not null && !string.IsNullOrEmpty(current) && current != previous);
    }

    /// <summary>The NoCloud drive's instance-id (its seed is kept for the run), or null where there is no drive or it cannot be read.</summary>
    private async Task<string?> NoCloudInstanceIdAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await Media.FindAsync(cancellationToken) is not { } device)
            {
                Log("instance", "the marker is from a NoCloud run but no NoCloud drive is there: the marker decides alone");
                return null;
            }

            _seed = await Media.ReadAsync(device, cancellationToken);
            return NoCloudData.InstanceIdOf(_seed);
        }
        catch (Exception e) when (e is AgentException or IOException or UnauthorizedAccessException)
        {
            Log("instance", $"the NoCloud drive's instance-id cannot be read ({e.Message}): the marker decides alone");
            return null;
        }
    }

    /// <summary>The SMBIOS serial (the instance-id on Hetzner Cloud), or null where there is none or it cannot be read.</summary>
    private string? ReadSerial()
    {
        try
        {
            return _fs.ReadText(AgentPaths.DmiSerial)?.Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log("instance", $"{AgentPaths.DmiSerial} cannot be read ({e.Message}): the marker decides alone");
            return null;
        }
    }

    /// <summary>The instance-id a marker (<c>instance-id=ID [source=SOURCE] finished=TIME</c>) was written for, or null.</summary>
    internal static string? MarkerInstanceId(string? marker) => MarkerField(marker, "instance-id");

    /// <summary>The source a marker names (markers of Hetzner runs before NoCloud existed name none).</summary>
    internal static string? MarkerSource(string? marker) => MarkerField(marker, "source");

    private static string? MarkerField(string? marker, string name)
    {
        var field = marker?.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(f => f.StartsWith(name + "=", StringComparison.Ordinal));
        var value = field?[(name.Length + 1)..];
        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>Writes the status file, then the marker (last of all). Returns the error that stopped it, if any.</summary>
    private string? TryWriteStatusAndMarker(AgentStatus status)
    {
        try
        {
            _fs.EnsureDirectory(AgentPaths.StateDir, RootFs.PublicDir);
            _fs.WriteText(AgentPaths.Status, JsonSerializer.Serialize(status, AgentJsonContext.Default.AgentStatus) + "\n", RootFs.Public);
            Log("status", $"{AgentPaths.Status} status={status.Status}");
            if (status.Status == AgentStatus.StatusOk)
            {
                _fs.WriteText(AgentPaths.Marker, $"instance-id={status.InstanceId} source={status.Source} finished={status.Finished:O}\n", RootFs.Public);
                Log("marker", $"{AgentPaths.Marker}: later boots do nothing");
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log("status", $"failed: {e.Message}");
            return $"could not write {AgentPaths.Status} or {AgentPaths.Marker}: {e.Message}";
        }
    }

    private string SerialLine(string? error, TimeSpan agent, TimeSpan converge)
    {
        var line = new StringBuilder(SerialPrefix)
            .Append(" status=").Append(error is null ? AgentStatus.StatusOk : AgentStatus.StatusError)
            .Append(" hostname=").Append(_hostname ?? "-")
            .Append(" instance-id=").Append(_instanceId ?? "-")
            .Append(CultureInfo.InvariantCulture, $" agent_ms={(long)agent.TotalMilliseconds} converge_ms={(long)converge.TotalMilliseconds}")
            .Append(" source=").Append(_source ?? "-");
        if (error is not null)
        {
            line.Append(" error=\"").Append(error.ReplaceLineEndings(" ").Replace("\"", "'", StringComparison.Ordinal)).Append('"');
        }

        return line.ToString();
    }

    /// <summary>The final line: stdout (journal + console through the unit) and the first marker port that exists.</summary>
    private void Serial(string line)
    {
        log.WriteLine(line);
        log.Flush();
        if (AgentPaths.MarkerConsoles.Select(_fs.Path).FirstOrDefault(File.Exists) is { } port)
        {
            _ = NativeMethods.TryAppendLine(port, line);
        }
    }

    private void Log(string step, string detail)
    {
        log.WriteLine($"{Prefix}{step} {detail}");
        log.Flush();
    }

    private T Step<T>(string name, Func<(T Value, string Detail)> body) =>
        StepAsync(name, () => Task.FromResult(body())).GetAwaiter().GetResult();

    private async Task<T> StepAsync<T>(string name, Func<Task<(T Value, string Detail)>> body)
    {
        var start = options.Time.GetTimestamp();
        try
        {
            var (value, detail) = await body();
            _steps.Add(new StepResult(name, Seconds(start), true, detail));
            Log(name, detail);
            return value;
        }
        catch (OperationCanceledException)
        {
            _steps.Add(new StepResult(name, Seconds(start), false, "interrupted"));
            Log(name, "interrupted");
            throw;
        }
        catch (Exception e)
        {
            var message = e is AgentException ? e.Message : $"{name}: {e.Message}";
            _steps.Add(new StepResult(name, Seconds(start), false, message));
            Log(name, $"failed: {message}");
            throw e as AgentException ?? new AgentException(message, e);
        }
    }

    private double Seconds(long start) => Math.Round(options.Time.GetElapsedTime(start).TotalSeconds, 3);

    private static string Attempts(int n) => n == 1 ? "1 attempt" : $"{n} attempts";
}
