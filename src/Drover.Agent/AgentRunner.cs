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
    private HcloudMetadata? _metadata;
    private ConvergeResult? _converge;
    private bool _newInstance;

    /// <summary>
    /// <c>--instance-check</c>: early in boot (before sshd), without network. A marker from another instance means the
    /// disk came from a snapshot of another server: its marker and its SSH host keys go, so that the host-key unit makes
    /// new ones before sshd starts and the agent later runs a whole first boot. Returns the exit code.
    /// </summary>
    public int InstanceCheck()
    {
        var (previous, serial, foreign) = MarkerOwner();
        if (!foreign)
        {
            Log("instance-check", previous is null ? "no marker: a first boot" : string.IsNullOrEmpty(serial) ? "no SMBIOS serial to compare: the marker stands" : $"instance {serial}: the marker is this instance's");
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
            Log("instance-check", $"{AgentPaths.Marker} is from instance {previous}, this is {serial}: removed it and {keys.Length} SSH host key file(s) of that server; this boot is a first boot");
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
            return InstanceCheck();
        }
        if (File.Exists(_fs.Path(AgentPaths.Marker)))
        {
            var (previous, serial, foreign) = MarkerOwner();
            if (foreign)
            {
                // A server made from a snapshot of a converged one: the marker came with the disk.
                _newInstance = true;
                Log("new-instance", $"{AgentPaths.Marker} is from instance {previous}, this is {serial} ({AgentPaths.DmiSerial}): running the first boot again");
            }
            else if (!options.Force)
            {
                Log("done", $"{AgentPaths.Marker} exists for this instance: a previous run finished, nothing to do (--force runs again)");
                return 0;
            }
        }

        var started = options.Time.GetUtcNow();
        var startTimestamp = options.Time.GetTimestamp();
        Log("start", $"metadata {options.MetadataUrl} root {options.Root}{(options.IsLiveSystem ? "" : " (not the live system: no system calls)")}");
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
            Hostname = _metadata?.Hostname,
            InstanceId = _metadata?.InstanceId,
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

    private async Task RunStepsAsync(DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        using var http = MetadataClient.CreateHttpClient();
        var client = new MetadataClient(http, options, deadline);

        var metadataYaml = await StepAsync("fetch-metadata", async () =>
        {
            var answer = await client.GetAsync("metadata", _noStatuses, cancellationToken);
            return (Encoding.UTF8.GetString(answer.Body!), $"{answer.Body!.Length} bytes, {Attempts(answer.Attempts)}");
        });
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
        var metadata = _metadata = Step("parse-metadata", () =>
        {
            var m = HcloudMetadata.Parse(metadataYaml, privateYaml);
            return (m, $"hostname={m.Hostname} instance-id={m.InstanceId} keys={m.PublicKeys.Count} nics={m.Interfaces.Count} private-networks={m.PrivateNetworks.Count}");
        });

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
        if (_newInstance)
        {
            await StepAsync("ssh-host-keys", async () => (0, await SystemSteps.RenewHostKeysAsync(_fs, options, log, cancellationToken)));
        }
        Step("hostname", () => (0, SystemSteps.Hostname(_fs, options, metadata.Hostname)));
        Step("authorized-keys", () => (0, SystemSteps.AuthorizedKeys(_fs, metadata.PublicKeys)));
        await StepAsync("network", async () => (0, await SystemSteps.NetworkAsync(_fs, options, metadata, log, cancellationToken)));

        var plan = Step("flake-target", () =>
        {
            var p = ConvergePlan.From(userData, metadata.Hostname);
            if (p.Flake is not null)
            {
                _fs.WriteText(AgentPaths.FlakeTarget, p.Flake + "\n", RootFs.Public);
            }

            return (p, p.Flake is null ? "no flake named in the user-data" : $"{AgentPaths.FlakeTarget} = {p.Flake}{(p.Impure ? " (impure evaluation)" : "")}");
        });
        await StepAsync("converge", async () => (0, await ConvergeAsync(plan, metadata, cancellationToken)));
    }

    private async Task<string> ConvergeAsync(ConvergePlan plan, HcloudMetadata metadata, CancellationToken cancellationToken)
    {
        if (plan.Command is null)
        {
            return "no converge command";
        }

        Log("converge", $"running /bin/sh -c {plan.Command}");
        var environment = new Dictionary<string, string>
        {
            ["DROVER_HOSTNAME"] = metadata.Hostname,
            ["DROVER_INSTANCE_ID"] = metadata.InstanceId,
            ["DROVER_ROOT"] = options.Root,
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
    /// The instance the marker was written for, this machine's SMBIOS serial, and whether the marker belongs to another
    /// instance (both known and different: the disk came from a snapshot of another server).
    /// </summary>
    private (string? Previous, string? Serial, bool Foreign) MarkerOwner()
    {
        var previous = File.Exists(_fs.Path(AgentPaths.Marker)) ? MarkerInstanceId(_fs.ReadText(AgentPaths.Marker)) : null;
        var serial = ReadSerial();
        return (previous, serial, previous is not null && !string.IsNullOrEmpty(serial) && serial != previous);
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

    /// <summary>The instance-id a marker (<c>instance-id=ID finished=TIME</c>) was written for, or null.</summary>
    internal static string? MarkerInstanceId(string? marker)
    {
        var field = marker?.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(f => f.StartsWith("instance-id=", StringComparison.Ordinal));
        var id = field?["instance-id=".Length..];
        return string.IsNullOrEmpty(id) ? null : id;
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
                _fs.WriteText(AgentPaths.Marker, $"instance-id={status.InstanceId} finished={status.Finished:O}\n", RootFs.Public);
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
            .Append(" hostname=").Append(_metadata?.Hostname ?? "-")
            .Append(" instance-id=").Append(_metadata?.InstanceId ?? "-")
            .Append(CultureInfo.InvariantCulture, $" agent_ms={(long)agent.TotalMilliseconds} converge_ms={(long)converge.TotalMilliseconds}");
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
