using Drover.Core.Ssh;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.Images.Rescue;
using Microsoft.Extensions.Logging;

namespace Drover.Images.Upload;

/// <summary>
/// One server in its rescue system, reached over SSH with a key made for this run: the unit an upload and a write share.
/// Its methods are the steps, in order: <see cref="CreateKeyAsync"/>, then <see cref="CreateServerAsync"/> (a temporary
/// server the session owns) or <see cref="UseServer"/> (an existing one it leaves alone), <see cref="BootAsync"/>,
/// <see cref="ConnectAsync"/>, <see cref="WriteAsync"/>, then <see cref="ShutdownAsync"/> and <see cref="SnapshotAsync"/>
/// or <see cref="BootFromDiskAsync"/>. <see cref="DisposeAsync"/> closes the shell and deletes what the session created
/// (an unfinished snapshot at once, the owned server, then the key), on every path, each deletion with its own time limit.
/// </summary>
/// <remarks>
/// The cloud is reached through <see cref="HcloudClient"/>, the rescue system through <see cref="IRemoteShell"/>, and
/// every wait runs on the given <see cref="TimeProvider"/>: with the local cloud in memory, a fake shell and a manual
/// clock, the whole orchestration runs in a test without root, namespaces or a network.
/// </remarks>
public sealed class RescueSession(HcloudClient client, ILogger logger, string runId, IReadOnlyDictionary<string, string> labels, TimeProvider? timeProvider = null, Func<SshTarget, IRemoteShell>? shellFactory = null) : IAsyncDisposable
{
    /// <summary>How long a shut-down rescue system may take before the server is powered off.</summary>
    public static readonly TimeSpan ShutdownGrace = TimeSpan.FromMinutes(1);

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Func<SshTarget, IRemoteShell> _shells = shellFactory ?? (t => new OpenSshShell(t));
    private TemporaryKey? _key;
    private TemporaryServer? _owned;
    private Server? _server;
    private IRemoteShell? _shell;

    /// <summary>The run whose labels (<c>drover/run</c>) the session's resources carry.</summary>
    public string RunId => runId;

    /// <summary>The server, as last seen.</summary>
    public Server Server => _server ?? throw new InvalidOperationException("the session has no server yet");

    /// <summary>Whether the rescue system has zstd (known once connected): the image may then travel compressed.</summary>
    public bool RemoteHasZstd { get; private set; }

    /// <summary>Whether the rescue system has python3 (known once connected): block uploads (<see cref="BlockCommand"/>) need it.</summary>
    public bool RemoteHasPython { get; private set; }

    /// <summary>Makes an SSH key pair (under <paramref name="keyDirectory"/> if given) and uploads its public half with the session's labels.</summary>
    public async Task CreateKeyAsync(string? keyDirectory, CancellationToken ct)
    {
        if (_key is not null)
        {
            throw new InvalidOperationException("the session has a key already");
        }
        _key = await TemporaryKey.CreateAsync(client, logger, runId, labels, ct, keyDirectory);
    }

    /// <summary>Creates a temporary server (not started) that the session deletes when disposed.</summary>
    public async Task CreateServerAsync(CreateServerRequest request, CancellationToken ct)
    {
        ThrowIfServer();
        var key = Key();
        _owned = await TemporaryServer.CreateAsync(client, logger, runId, request with { SshKeys = [key.Key.Id], Labels = labels }, ct);
        _server = _owned.Server;
    }

    /// <summary>Works on an existing server; disposing the session leaves it, its keys and its labels alone.</summary>
    public void UseServer(Server server)
    {
        ThrowIfServer();
        _server = server;
    }

    /// <summary>Enables rescue with the session's key and powers the server on (or resets it when it runs).</summary>
    public async Task BootAsync(CancellationToken ct)
    {
        var server = Server;
        var rescue = await client.Servers.EnableRescueAsync(server.Id, new EnableRescueRequest { Type = "linux64", SshKeys = [Key().Key.Id] }, ct);
        await client.Actions.WaitAsync([rescue.Action], null, ct);
        var boot = server.Status == ServerStatus.Off ? await client.Servers.PowerOnAsync(server.Id, ct) : await client.Servers.ResetAsync(server.Id, ct);
        await client.Actions.WaitAsync([boot], null, ct);
        await RefreshAsync(ct);
        logger.LogInformation("server {Id} booted into its rescue system", server.Id);
    }

    /// <summary>
    /// Connects as root to the server's public IPv4 with the session's key, retrying once a second until
    /// <paramref name="sshTimeout"/>, and asks whether the disk is there and whether zstd is.
    /// </summary>
    public async Task ConnectAsync(TimeSpan sshTimeout, CancellationToken ct)
    {
        if (_shell is not null)
        {
            throw new InvalidOperationException("the session is connected already");
        }
        var ip = Server.PublicNet.Ipv4?.Ip ?? throw new UploadException("boot rescue system", $"server {Server.Name} has no public IPv4");
        var target = new SshTarget("root", ip, 22, Key().Pair.PrivateKeyFile);
        var shell = _shells(target);
        try
        {
            var tools = await ProbeAsync(shell, target, sshTimeout, ct);
            RemoteHasZstd = tools.Contains("zstd", StringComparison.Ordinal);
            RemoteHasPython = tools.Contains("python3", StringComparison.Ordinal);
            _shell = shell;
        }
        catch
        {
            await shell.DisposeAsync();
            throw;
        }
    }

    private async Task<string> ProbeAsync(IRemoteShell shell, SshTarget target, TimeSpan sshTimeout, CancellationToken ct)
    {
        var started = _time.GetTimestamp();
        var last = "";
        while (true)
        {
            try
            {
                var probe = await shell.RunAsync(RescueCommand.Probe, null, null, ct);
                if (probe.ExitCode == 0)
                {
                    return probe.Stdout;
                }
                last = $"/dev/sda is missing on the rescue system ({probe.Stderr.Trim()})";
            }
            catch (RemoteShellException e)
            {
                last = e.Message;
            }
            if (_time.GetElapsedTime(started) > sshTimeout)
            {
                throw new RemoteShellException($"the rescue system at {target.Host} was not reachable over SSH within {sshTimeout.TotalSeconds:0} s: {last}");
            }
            await Task.Delay(TimeSpan.FromSeconds(1), _time, ct);
        }
    }

    /// <summary>
    /// Runs the write script (<see cref="RescueCommand"/>) with <paramref name="data"/> on its stdin (or with the URL to
    /// download in <paramref name="options"/>); maps the script's exit codes to clear errors.
    /// </summary>
    public async Task<RescueReport> WriteAsync(WriteOptions options, Stream? data, IProgress<long>? sent, CancellationToken ct)
    {
        var shell = _shell ?? throw new InvalidOperationException("the session is not connected");
        var result = await shell.RunAsync(RescueCommand.Build(options), data, sent, ct);
        if (result.ExitCode == 0)
        {
            return RescueReport.Parse(result.Stdout);
        }
        // dd's statistics say nothing about the cause; the lines before them (curl, a decompressor, the script) do.
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.Contains(" records in", StringComparison.Ordinal) && !l.Contains(" records out", StringComparison.Ordinal) && !l.Contains(" bytes copied", StringComparison.Ordinal) && !l.Contains(" bytes (", StringComparison.Ordinal));
        var why = string.Join(" / ", lines.TakeLast(3));
        throw new UploadException("write", result.ExitCode switch
        {
            RescueCommand.ExitDigestMismatch => $"the image does not match the expected sha256: {why}",
            RescueCommand.ExitNoDevice => $"the rescue system has no disk: {why}",
            RescueCommand.ExitNotQcow2 => $"the image is not a valid qcow2 image: {why}",
            RescueCommand.ExitTooLarge => why,
            RescueCommand.ExitVerifyFailed => $"the disk does not hold what was written: {why}",
            var code => $"writing the image failed (exit {code}; corrupt or truncated input?): {why}",
        });
    }

    /// <summary>
    /// The digests of the disk's first <paramref name="count"/> blocks, as <see cref="BlockMap.Line"/> gives an image's:
    /// the base a delta upload compares its image with.
    /// </summary>
    public async Task<IReadOnlyList<string>> HashBlocksAsync(long count, int blockSize, CancellationToken ct, IProgress<long>? hashedBytes = null)
    {
        var shell = _shell ?? throw new InvalidOperationException("the session is not connected");
        // One line per block: lines so far x the block size is the progress in bytes (the last report line is not a block).
        var hashed = hashedBytes is null ? null : new SyncProgress(n => hashedBytes.Report(Math.Min(n, count) * blockSize));
        var result = await shell.RunAsync(BlockCommand.Hash(count, blockSize, keep: BlockCommand.KeptDigests), null, null, hashed, ct);
        if (result.ExitCode != 0)
        {
            throw new UploadException("hash base disk", $"hashing the disk's blocks failed (exit {result.ExitCode}): {LastLines(result.Stderr)}");
        }
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("drover:", StringComparison.Ordinal)).ToList();
        if (lines.Count != count || lines.Any(l => l != "z" && l.Length != 64))
        {
            throw new UploadException("hash base disk", $"the rescue system printed {lines.Count} block digests, not {count}");
        }
        return lines;
    }

    /// <summary>
    /// The piece digests (<see cref="BlockPieces"/>) of the disk's blocks <paramref name="blocks"/>: where each of those
    /// blocks differs from the image's is what a delta sends.
    /// </summary>
    public async Task<IReadOnlyDictionary<long, string>> PieceDigestsAsync(IReadOnlyList<long> blocks, int blockSize, int piece, CancellationToken ct)
    {
        var shell = _shell ?? throw new InvalidOperationException("the session is not connected");
        using var input = new MemoryStream(System.Text.Encoding.ASCII.GetBytes(string.Join('\n', blocks) + "\n"));
        var result = await shell.RunAsync(BlockCommand.Pieces(blockSize, piece), input, null, ct);
        if (result.ExitCode != 0)
        {
            throw new UploadException("hash base disk", $"hashing the changed blocks' pieces failed (exit {result.ExitCode}): {LastLines(result.Stderr)}");
        }
        var found = new Dictionary<long, string>();
        foreach (var line in result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            if (parts.Length == 2 && long.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
            {
                found[index] = parts[1];
            }
        }
        if (blocks.Any(b => !found.TryGetValue(b, out var hex) || hex.Length != BlockPieces.HexPerPiece * (blockSize / piece)))
        {
            throw new UploadException("hash base disk", $"the rescue system printed piece digests for {found.Count} of {blocks.Count} blocks");
        }
        return found;
    }

    /// <summary>
    /// Sends <paramref name="plan"/> (its data read from <paramref name="path"/>, zstd-compressed on the wire when
    /// <paramref name="zstd"/>) to <see cref="BlockCommand.Write"/>; every block is checked as it is written, the disk read
    /// back for the whole sha256. Maps the exit codes to clear errors.
    /// </summary>
    public async Task<BlockWriteReport> WriteBlocksAsync(BlockPlan plan, string path, bool zstd, bool wholeSha256, IProgress<long>? sent, CancellationToken ct)
    {
        var shell = _shell ?? throw new InvalidOperationException("the session is not connected");
        ShellResult result;
        await using (var frames = plan.Open(path, sent, wholeSha256))
        {
            try
            {
                if (zstd)
                {
                    await using var squeezed = LocalZstd.Compress(frames, ct);
                    result = await shell.RunAsync(BlockCommand.Write(zstd: true, kept: plan.Delta ? BlockCommand.KeptDigests : null), squeezed.Output, null, ct);
                }
                else
                {
                    result = await shell.RunAsync(BlockCommand.Write(zstd: false, kept: plan.Delta ? BlockCommand.KeptDigests : null), frames, null, ct);
                }
            }
            catch (Exception e) when (frames.Error is { } failed && e is not OperationCanceledException)
            {
                throw new UploadException("write", $"reading the image failed: {failed.Message}", failed);
            }
            if (frames.Error is { } error)
            {
                throw new UploadException("write", $"reading the image failed: {error.Message}", error);
            }
        }
        if (result.ExitCode == 0)
        {
            return BlockWriteReport.Parse(result.Stdout);
        }
        var why = LastLines(result.Stderr);
        throw new UploadException("write", result.ExitCode switch
        {
            RescueCommand.ExitDigestMismatch => $"a block did not arrive as it left: {why}",
            RescueCommand.ExitNoDevice => $"the rescue system has no disk: {why}",
            RescueCommand.ExitTooLarge => why,
            RescueCommand.ExitVerifyFailed => $"the disk does not hold the image: {why}",
            BlockCommand.ExitMalformed => $"the stream of blocks broke off: {why}",
            BlockCommand.ExitIo => $"the rescue system's disk failed: {why}",
            var code => $"writing the blocks failed (exit {code}): {why}",
        });
    }

    private static string LastLines(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no message)" : string.Join(" / ", lines.TakeLast(3));
    }

    /// <summary>Closes the SSH session and shuts the server down, powering it off after <see cref="ShutdownGrace"/>.</summary>
    public async Task ShutdownAsync(CancellationToken ct)
    {
        await CloseShellAsync();
        var id = Server.Id;
        await client.Actions.WaitAsync([await client.Servers.ShutdownAsync(id, ct)], null, ct);
        var started = _time.GetTimestamp();
        while ((await RefreshAsync(ct)).Status != ServerStatus.Off)
        {
            if (_time.GetElapsedTime(started) > ShutdownGrace)
            {
                logger.LogWarning("server {Id} did not shut down within {Grace}; powering it off", id, ShutdownGrace);
                await client.Actions.WaitAsync([await client.Servers.PowerOffAsync(id, ct)], null, ct);
                return;
            }
            await Task.Delay(TimeSpan.FromSeconds(1), _time, ct);
        }
    }

    /// <summary>
    /// Takes a snapshot of the server's disk and waits until it is available. A snapshot that does not get there (a
    /// failed action, cancellation, a deadline) is deleted before this returns.
    /// </summary>
    public async Task<Image> SnapshotAsync(CreateImageRequest request, CancellationToken ct)
    {
        var created = await client.Servers.CreateImageAsync(Server.Id, request, ct);
        try
        {
            await client.Actions.WaitAsync([created.Action], null, ct);
            return await client.Images.GetAsync(created.Image.Id, ct) ?? throw new UploadException("create snapshot", $"snapshot {created.Image.Id} disappeared");
        }
        catch
        {
            await Cleanup.RunAsync(logger, $"unfinished snapshot {created.Image.Id}", runId, c => client.Images.DeleteAsync(created.Image.Id, c));
            throw;
        }
    }

    /// <summary>Closes the SSH session and resets the server, which then boots from the disk just written.</summary>
    public async Task BootFromDiskAsync(CancellationToken ct)
    {
        await CloseShellAsync();
        await client.Actions.WaitAsync([await client.Servers.ResetAsync(Server.Id, ct)], null, ct);
    }

    public async ValueTask DisposeAsync()
    {
        await CloseShellAsync();
        if (_owned is not null)
        {
            await _owned.DisposeAsync();
            _owned = null;
        }
        if (_key is not null)
        {
            await _key.DisposeAsync();
            _key = null;
        }
    }

    private async Task CloseShellAsync()
    {
        if (_shell is { } shell)
        {
            _shell = null;
            await shell.DisposeAsync();
        }
    }

    private async Task<Server> RefreshAsync(CancellationToken ct)
        => _server = _owned is not null
            ? await _owned.RefreshAsync(ct)
            : await client.Servers.GetAsync(Server.Id, ct) ?? throw new UploadException("server", $"server {Server.Id} disappeared");

    private TemporaryKey Key() => _key ?? throw new InvalidOperationException("the session has no key yet");

    private void ThrowIfServer()
    {
        if (_server is not null)
        {
            throw new InvalidOperationException("the session has a server already");
        }
    }
}
