using Drover.Core.Ssh;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Labels;
using Drover.Images.Catalog;
using Drover.Images.Rescue;
using Drover.Images.Runs;
using Drover.Images.Scan;
using Microsoft.Extensions.Logging;

namespace Drover.Images.Upload;

/// <summary>
/// Imports a disk image as a snapshot through a temporary server's rescue system:
/// temporary key and server (labelled <c>drover/created-by</c> and <c>drover/run</c>) → enable rescue → power on →
/// SSH → discard, stream, decompress, sparse write, verify → shut down → snapshot with the labels and
/// <c>drover/digest</c> → delete the temporary server and key, on every path (success, failure, Ctrl-C, deadline).
/// </summary>
/// <remarks>
/// With a <see cref="RunLedger"/> (the CLI always gives one) a run is recorded as alive before anything is created in
/// the cloud, and what runs of this machine left when they were killed is removed first. Uploads of the same image
/// (digest, or URL) on this machine take turns, so the second finds the first's snapshot and reuses it; uploads on
/// different machines that race converge afterwards on the oldest snapshot with that digest.
/// </remarks>
public sealed class ImageUploader(HcloudClient client, ILogger<ImageUploader> logger, TimeProvider? timeProvider = null, Func<SshTarget, IRemoteShell>? shellFactory = null, RunLedger? runs = null)
{
    /// <summary>The value of <c>drover/created-by</c> on everything an upload creates.</summary>
    public const string CreatedBy = "drover-upload";

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Func<SshTarget, IRemoteShell> _shells = shellFactory ?? (t => new OpenSshShell(t));

    public async Task<UploadResult> UploadAsync(UploadOptions options, IProgress<UploadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options = UploadScanGate.Apply(options);
        var run = new UploadRun(DroverLabels.NewRunId(), progress, _time, logger);
        using var lease = runs?.Begin(run.Id, "image upload");
        await SweepDeadRunsAsync(cancellationToken);
        var source = await PrepareAsync(options, run, cancellationToken);
        using var turn = runs is null ? null : await runs.WaitTurnAsync($"upload {source.Architecture} {source.Sha256 ?? source.Url?.ToString()}",
            () => run.Step("wait for another upload of this image on this machine"), _time, cancellationToken);
        if (!options.Force && source.Sha256 is { } known && await FindDuplicateAsync(known, source.Architecture, cancellationToken) is { } existing)
        {
            logger.LogInformation("snapshot {Id} already holds this image (sha256 {Sha}); skipping the upload", existing.Id, known);
            return new UploadResult(existing, true, known, run.Id, run.Timings);
        }

        using var deadline = options.Deadline is { } d ? new CancellationTokenSource(d, _time) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var ct = linked.Token;
        var temporaryLabels = new Dictionary<string, string> { [DroverLabels.CreatedBy] = CreatedBy, [DroverLabels.Run] = run.Id };
        try
        {
            await using var session = new RescueSession(client, logger, run.Id, temporaryLabels, _time, _shells);
            run.Step("create temporary key");
            await session.CreateKeyAsync(lease?.Directory, ct);
            run.Step("create temporary server");
            await session.CreateServerAsync(new CreateServerRequest
            {
                Name = $"drover-upload-{run.Id}",
                ServerType = source.ServerType,
                Image = "ubuntu-24.04",
                Location = options.Location,
                StartAfterCreate = false,
            }, ct);

            run.Step("boot rescue system");
            await session.BootAsync(ct);

            run.Step("connect over SSH");
            await session.ConnectAsync(options.SshTimeout, ct);

            run.Step("write image", source.Length);
            var report = await WriteAsync(session, options, source, run, ct);
            if (source.Sha256 is { } local && report.ReceivedSha256 is { } remote && local != remote)
            {
                throw new UploadException("write", $"the rescue system received sha256 {remote}, the file has {local}: the transfer was corrupted");
            }
            source = source with { Sha256 = source.Sha256 ?? report.ReceivedSha256 };
            logger.LogInformation("wrote {Bytes} bytes, verified={Verified}", report.WrittenBytes, report.Verified);

            run.Step("shut down");
            await session.ShutdownAsync(ct);

            run.Step("create snapshot");
            var labels = new Dictionary<string, string>(options.Labels) { [DroverLabels.CreatedBy] = CreatedBy };
            if (source.Sha256 is { } digest)
            {
                labels[DroverLabels.Digest] = ImageDigest.Label(digest);
            }
            var snapshot = await session.SnapshotAsync(new CreateImageRequest
            {
                Type = "snapshot",
                Description = options.Description ?? $"{source.Name}{(source.Sha256 is { } s ? $" sha256:{s}" : "")}",
                Labels = labels,
            }, ct);
            var (kept, raced) = options.Force || source.Sha256 is null ? (snapshot, false) : await ConvergeAsync(snapshot, source.Sha256, source.Architecture, run.Id, ct);
            run.Step("delete temporary resources");
            return new UploadResult(kept, raced, source.Sha256, run.Id, run.Timings);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new UploadException(run.Current, $"the deadline of {options.Deadline} expired; everything created was deleted");
        }
        finally
        {
            run.Finish();
        }
    }

    /// <summary>
    /// Writes an image onto an existing server's disk through its rescue system, then boots it from that disk.
    /// The temporary SSH key is deleted on every path; the server's own keys and labels are untouched.
    /// </summary>
    public async Task<IReadOnlyList<StepTiming>> WriteToServerAsync(long serverId, UploadOptions options, IProgress<UploadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options = UploadScanGate.Apply(options);
        var run = new UploadRun(DroverLabels.NewRunId(), progress, _time, logger);
        using var lease = runs?.Begin(run.Id, "image write");
        await SweepDeadRunsAsync(cancellationToken);
        var server = await client.Servers.GetAsync(serverId, cancellationToken) ?? throw new UploadException("input", $"server {serverId} not found");
        var source = await PrepareAsync(options with { ServerType = server.ServerType.Name }, run, cancellationToken);
        using var deadline = options.Deadline is { } d ? new CancellationTokenSource(d, _time) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var ct = linked.Token;
        try
        {
            await using var session = new RescueSession(client, logger, run.Id, new Dictionary<string, string> { [DroverLabels.CreatedBy] = "drover-write", [DroverLabels.Run] = run.Id }, _time, _shells);
            run.Step("create temporary key");
            await session.CreateKeyAsync(lease?.Directory, ct);
            session.UseServer(server);
            run.Step("boot rescue system");
            await session.BootAsync(ct);
            run.Step("connect over SSH");
            await session.ConnectAsync(options.SshTimeout, ct);
            run.Step("write image", source.Length);
            await WriteAsync(session, options, source, run, ct);
            run.Step("boot from disk");
            await session.BootFromDiskAsync(ct);
            run.Step("delete temporary key");
            return run.Timings;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new UploadException(run.Current, $"the deadline of {options.Deadline} expired; the temporary key was deleted");
        }
        finally
        {
            run.Finish();
        }
    }

    private async Task<Source> PrepareAsync(UploadOptions options, UploadRun run, CancellationToken ct)
    {
        run.Step("check input");
        if ((options.ImagePath is null) == (options.ImageUrl is null))
        {
            throw new UploadException("input", "give exactly one of an image path and an image URL");
        }
        var labelProblems = LabelValidation.Problems(options.Labels);
        if (labelProblems.Count > 0)
        {
            throw new UploadException("input", "invalid labels: " + string.Join("; ", labelProblems));
        }
        var serverType = await ResolveServerTypeAsync(options, ct);
        if (options.ImageUrl is { } url)
        {
            if (url.Scheme is not ("http" or "https"))
            {
                throw new UploadException("input", $"the image URL must be http or https, not '{url.Scheme}'");
            }
            var compression = options.Compression == ImageCompression.Auto ? ImageMagic.CompressionFromName(url.AbsolutePath) : options.Compression;
            return new Source(Path.GetFileName(url.AbsolutePath), null, url, null, compression, serverType.Name, serverType.Architecture, options.ExpectedSha256);
        }
        var path = Path.GetFullPath(options.ImagePath!);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such image file", path);
        }
        var head = new byte[512];
        int read;
        await using (var f = File.OpenRead(path))
        {
            read = await f.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
        }
        var detected = ImageMagic.DetectCompression(head.AsSpan(0, read));
        var resolved = options.Compression == ImageCompression.Auto ? detected : options.Compression;
        if (resolved == ImageCompression.None && ImageMagic.IsQcow2(head.AsSpan(0, read)) && options.Format != ImageFormat.Qcow2)
        {
            throw new UploadException("input", $"{path} is a qcow2 image, but its format was given as raw; give it as qcow2");
        }
        var length = new FileInfo(path).Length;
        run.Step("hash image", length);
        var sha = await ImageDigest.OfFileAsync(path, run.BytesProgress(), ct);
        if (options.ExpectedSha256 is { } expected && !string.Equals(expected, sha, StringComparison.OrdinalIgnoreCase))
        {
            throw new UploadException("check input", $"{path} has sha256 {sha}, not the expected {expected}");
        }
        return new Source(Path.GetFileName(path), path, null, length, resolved, serverType.Name, serverType.Architecture, sha);
    }

    private async Task<ServerType> ResolveServerTypeAsync(UploadOptions options, CancellationToken ct)
    {
        var name = options.ServerType ?? (options.Architecture == Architecture.Arm ? "cax11" : "cx23");
        var type = await client.ServerTypes.GetByNameAsync(name, ct) ?? throw new UploadException("input", $"unknown server type '{name}'");
        if (options.Architecture is { } arch && type.Architecture != arch)
        {
            var why = options.ManifestPath is { } manifest ? $" (the architecture of the image's manifest {manifest})" : "";
            throw new UploadException("input", $"server type {name} is {type.Architecture}, not {arch}{why}");
        }
        return type;
    }

    private async Task<Image?> FindDuplicateAsync(string sha256, Architecture architecture, CancellationToken ct)
    {
        var selector = LabelSelector.Parse($"{DroverLabels.Digest}={ImageDigest.Label(sha256)}");
        var page = await client.Images.ListPageAsync(new ImageListOptions
        {
            Type = [ImageType.Snapshot],
            Status = [ImageStatus.Available],
            Architecture = architecture,
            LabelSelector = selector,
            Sort = ["created:desc"],
        }, 1, 1, ct);
        return page.FirstOrDefault;
    }

    private static async Task<RescueReport> WriteAsync(RescueSession session, UploadOptions options, Source source, UploadRun run, CancellationToken ct)
    {
        var write = new WriteOptions { Url = source.Url, Compression = source.Compression, Format = options.Format, ExpectedSha256 = source.ExpectedSha256?.ToLowerInvariant(), ReadBack = options.ReadBack };
        if (source.Path is null)
        {
            return await session.WriteAsync(write, null, null, ct);
        }
        var squeeze = options.WireCompression && session.RemoteHasZstd && source.Compression == ImageCompression.None && LocalZstd.Available();
        if (!squeeze)
        {
            await using var file = new FileStream(source.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan | FileOptions.Asynchronous);
            return await session.WriteAsync(write, file, run.BytesProgress(), ct);
        }
        await using var zstd = LocalZstd.Start(source.Path, run.BytesProgress(), ct);
        return await session.WriteAsync(write with { WireCompression = ImageCompression.Zstd }, zstd.Output, null, ct);
    }

    /// <summary>Removes what runs of this machine left in this cloud when they were killed (they are known dead, whatever their age).</summary>
    private async Task SweepDeadRunsAsync(CancellationToken ct)
    {
        if (runs is null)
        {
            return;
        }
        foreach (var item in await new TemporaryResourceCleaner(client, logger, _time, runs).CleanupDeadRunsAsync(ct))
        {
            logger.LogWarning("removed {Kind} {Name} ({Id}) of run {Run}: {Why}", item.Kind, item.Name, item.Id, item.Run, item.Why);
        }
    }

    /// <summary>
    /// After a snapshot is made: if an older snapshot holds the same image (a run on another machine raced this one),
    /// keeps that one and deletes this run's, so that one image is one snapshot. An older one still being created is
    /// waited for: kept if it becomes available, ignored if it fails. Returns the snapshot kept and whether it was theirs.
    /// </summary>
    private async Task<(Image Kept, bool Raced)> ConvergeAsync(Image ours, string sha256, Architecture architecture, string runId, CancellationToken ct)
    {
        var selector = LabelSelector.Parse($"{DroverLabels.Digest}={ImageDigest.Label(sha256)}");
        while (true)
        {
            var oldest = await client.Images.ListAsync(new ImageListOptions
            {
                Type = [ImageType.Snapshot],
                Status = [ImageStatus.Available, ImageStatus.Creating],
                Architecture = architecture,
                LabelSelector = selector,
            }, ct).Where(i => i.Id < ours.Id).OrderBy(i => i.Id).FirstOrDefaultAsync(ct);
            if (oldest is null)
            {
                return (ours, false);
            }
            if (oldest.Status == ImageStatus.Available)
            {
                logger.LogWarning("snapshot {Theirs} was made from the same image by another run meanwhile; keeping it and deleting this run's {Ours}", oldest.Id, ours.Id);
                await Cleanup.RunAsync(logger, $"duplicate snapshot {ours.Id}", runId, c => client.Images.DeleteAsync(ours.Id, c));
                return (oldest, true);
            }
            logger.LogInformation("snapshot {Theirs} of the same image is being created by another run; waiting for it", oldest.Id);
            await Task.Delay(TimeSpan.FromSeconds(2), _time, ct);
        }
    }

    private sealed record Source(string Name, string? Path, Uri? Url, long? Length, ImageCompression Compression, string ServerType, Architecture Architecture, string? Sha256)
    {
        public string? ExpectedSha256 => Sha256;
    }
}
