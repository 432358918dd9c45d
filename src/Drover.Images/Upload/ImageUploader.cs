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

        // The base first: a wrong --base is refused before a long decompression.
        var baseImage = options.Base is { } wanted ? await ResolveBaseAsync(wanted, source, options, cancellationToken) : null;
        source = await DecompressForMapAsync(source, options, run, cancellationToken);
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
                Image = baseImage?.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "ubuntu-24.04",
                Location = options.Location,
                StartAfterCreate = false,
            }, ct);

            run.Step("boot rescue system");
            await session.BootAsync(ct);

            run.Step("connect over SSH");
            await session.ConnectAsync(options.SshTimeout, ct);

            var delta = (string?)null;
            if (source.Map is { } map && session.RemoteHasPython)
            {
                var plan = await PlanAsync(session, map, source.MapPath!, baseImage, run, ct);
                delta = plan.Delta ? baseImage!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
                await WriteBlocksAsync(session, options, source, plan, run, ct);
            }
            else
            {
                if (baseImage is not null)
                {
                    logger.LogWarning("the rescue system has no python3 (or the image has no block map): uploading in full over base {Base}'s disk", baseImage.Id);
                }
                run.Step("write image", source.Length);
                var report = await WriteAsync(session, options, source, run, ct);
                if (source.Sha256 is { } local && report.ReceivedSha256 is { } remote && local != remote)
                {
                    throw new UploadException("write", $"the rescue system received sha256 {remote}, the file has {local}: the transfer was corrupted");
                }
                source = source with { Sha256 = source.Sha256 ?? report.ReceivedSha256 };
                logger.LogInformation("wrote {Bytes} bytes, verified={Verified}", report.WrittenBytes, report.Verified);
            }

            run.Step("shut down");
            await session.ShutdownAsync(ct);

            run.Step("create snapshot");
            var labels = new Dictionary<string, string>(options.Labels) { [DroverLabels.CreatedBy] = CreatedBy };
            if (source.Sha256 is { } digest)
            {
                labels[DroverLabels.Digest] = ImageDigest.Label(digest);
            }
            if (source.Map is { } recorded)
            {
                labels[BlockLabels.Blocks] = recorded.Record;
                labels.TryAdd(BlockLabels.Image, source.ImageName);
            }
            if (delta is not null)
            {
                labels[BlockLabels.Base] = delta;
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
            source.DeleteTemporary();
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
        source = await DecompressForMapAsync(source, options, run, cancellationToken);
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
            if (source.Map is { } map && session.RemoteHasPython)
            {
                await WriteBlocksAsync(session, options, source, BlockPlan.Full(map), run, ct);
            }
            else
            {
                run.Step("write image", source.Length);
                await WriteAsync(session, options, source, run, ct);
            }
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
            source.DeleteTemporary();
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
        if (options.ImageName is { } imageName && LabelValidation.Problems(new Dictionary<string, string> { [BlockLabels.Image] = imageName }) is { Count: > 0 } nameProblems)
        {
            throw new UploadException("input", "invalid image name: " + string.Join("; ", nameProblems));
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
        var name = options.ImageName ?? ImageNames.FromPath(path);
        if (resolved == ImageCompression.None && options.Format == ImageFormat.Raw)
        {
            // One pass: the block map (only data extents are read) and the whole image's sha256.
            run.Step("map image", length);
            var map = await BlockMap.BuildAsync(path, progress: run.BytesProgress(), cancellationToken: ct);
            CheckExpected(options, path, map.Sha256);
            logger.LogInformation("{Path}: {Data} bytes of data in {Blocks} blocks, {Zero} bytes zero", path, map.DataBytes, map.BlockCount, map.ZeroBytes);
            return new Source(Path.GetFileName(path), path, null, length, resolved, serverType.Name, serverType.Architecture, map.Sha256) { Map = map, MapPath = path, ImageName = name, TypeDiskGb = serverType.Disk };
        }
        run.Step("hash image", length);
        var sha = await ImageDigest.OfFileAsync(path, run.BytesProgress(), ct);
        CheckExpected(options, path, sha);
        return new Source(Path.GetFileName(path), path, null, length, resolved, serverType.Name, serverType.Architecture, sha) { ImageName = name, TypeDiskGb = serverType.Disk };
    }

    private static void CheckExpected(UploadOptions options, string path, string sha)
    {
        if (options.ExpectedSha256 is { } expected && !string.Equals(expected, sha, StringComparison.OrdinalIgnoreCase))
        {
            throw new UploadException("check input", $"{path} has sha256 {sha}, not the expected {expected}");
        }
    }

    /// <summary>
    /// A compressed raw image is decompressed here into a sparse temporary file and mapped, so that it travels as blocks
    /// like any raw image (and can be a delta). Done after the duplicate check: a known image is not decompressed.
    /// </summary>
    private async Task<Source> DecompressForMapAsync(Source source, UploadOptions options, UploadRun run, CancellationToken ct)
    {
        if (source.Map is not null || source.Path is null || options.Format != ImageFormat.Raw || source.Compression == ImageCompression.None)
        {
            return source;
        }
        var directory = Directory.CreateTempSubdirectory("drover-upload-");
        var raw = Path.Combine(directory.FullName, "image.raw");
        try
        {
            run.Step("decompress image");
            await SparseDecompress.ToFileAsync(source.Path, source.Compression, raw, run.BytesProgress(), ct);
            run.Step("map image", new FileInfo(raw).Length);
            var map = await BlockMap.BuildAsync(raw, progress: run.BytesProgress(), cancellationToken: ct);
            logger.LogInformation("{Path} decompressed: {Length} bytes, {Data} of data, sha256 {Sha}", source.Path, map.Length, map.DataBytes, map.Sha256);
            return source with { Map = map, MapPath = raw, TemporaryDirectory = directory.FullName };
        }
        catch
        {
            directory.Delete(recursive: true);
            throw;
        }
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

    /// <summary>
    /// What to send: the whole image's data runs, or, over a base, the blocks that differ from what its disk holds. A base
    /// whose disk does not match the block record Drover kept for it falls back to a full upload, saying so.
    /// </summary>
    private async Task<BlockPlan> PlanAsync(RescueSession session, BlockMap map, string mapPath, Image? baseImage, UploadRun run, CancellationToken ct)
    {
        if (baseImage is null)
        {
            return BlockPlan.Full(map);
        }
        var record = baseImage.Labels.GetValueOrDefault(BlockLabels.Blocks);
        var recorded = BlockMap.RecordBlockCount(record);
        var diskBlocks = (long)(baseImage.DiskSize * (1L << 30) / map.BlockSize) + 1;
        if (recorded > diskBlocks)
        {
            logger.LogWarning("base snapshot {Base}'s block record {Record} covers more blocks than its {Disk} GB disk has: uploading in full", baseImage.Id, record, baseImage.DiskSize);
            return BlockPlan.Full(map);
        }
        var count = Math.Max(map.BlockCount, recorded ?? 0);
        run.Step("hash base disk", count * (long)map.BlockSize);
        var lines = await session.HashBlocksAsync(count, map.BlockSize, ct, run.BytesProgress());
        if (recorded is { } n && BlockMap.RecordOf([.. lines.Take((int)n)], map.BlockSize) != record)
        {
            logger.LogWarning("base snapshot {Base} does not hold what Drover recorded for it (its disk's blocks hash to {Found}, the record is {Record}): uploading in full",
                baseImage.Id, BlockMap.RecordOf([.. lines.Take((int)n)], map.BlockSize), record);
            return BlockPlan.Full(map);
        }
        if (recorded is null)
        {
            logger.LogWarning("base snapshot {Base} has no block record ({Label}); its disk is compared block by block and the result verified whole", baseImage.Id, BlockLabels.Blocks);
        }
        // Blocks with data on both sides that differ: where in them? Their pieces are compared, and only those that differ travel.
        var changed = Enumerable.Range(0, checked((int)map.BlockCount)).Select(i => (long)i)
            .Where(i => map.Line(i) is var mine && mine != "z" && lines[(int)i] != "z" && mine != lines[(int)i]).ToList();
        var pieces = new Dictionary<long, IReadOnlyList<(long Offset, long Length)>>();
        if (changed.Count > 0)
        {
            var theirs = await session.PieceDigestsAsync(changed, map.BlockSize, BlockPieces.DefaultPieceSize, ct);
            foreach (var index in changed)
            {
                pieces[index] = BlockPieces.Differences(BlockPieces.Of(mapPath, index, map.BlockSize), theirs[index]);
            }
        }
        var plan = BlockPlan.Against(map, lines, pieces);
        logger.LogInformation("delta over snapshot {Base}: {Send} bytes in {Blocks} blocks differ, {Skip} bytes are the same", baseImage.Id, plan.SendBytes, plan.SendBlocks, plan.SkipBytes);
        return plan;
    }

    private async Task WriteBlocksAsync(RescueSession session, UploadOptions options, Source source, BlockPlan plan, UploadRun run, CancellationToken ct)
    {
        var zstd = options.WireCompression && session.RemoteHasZstd && LocalZstd.Available();
        if (zstd && plan.SendBytes > 0)
        {
            var ratio = WireCompression.SampleRatio(plan.Map, source.MapPath!);
            zstd = ratio < WireCompression.Threshold;
            logger.LogInformation("a sample of the data blocks compresses to {Ratio:0.00} of its size: zstd on the wire {Decision}", ratio, zstd ? "on" : "off (it would only cost time)");
        }
        run.Step("write image", plan.SendBytes, plan.SkipBytes);
        var report = await session.WriteBlocksAsync(plan, source.MapPath!, zstd, options.ReadBack, run.BytesProgress(), ct);
        // The rescue side checked every block of the disk against a digest list: it must be this image's, whole.
        if (report.Bytes != plan.Map.Length || report.DigestList != plan.Map.LinesSha256)
        {
            throw new UploadException("write", $"the rescue system checked {report.Bytes} bytes against block digests {report.DigestList}; the image has {plan.Map.Length} bytes and block digests {plan.Map.LinesSha256}");
        }
        if (options.ReadBack && report.Sha256 != plan.Map.Sha256)
        {
            throw new UploadException("write", $"the disk's first {report.Bytes} bytes have sha256 {report.Sha256}, the image {plan.Map.Sha256}");
        }
        if (report.Direct == false)
        {
            logger.LogWarning("the rescue system's disk did not take direct I/O: blocks were read back through its page cache (the writes were fsynced only at the end), which proves less than a read from the device");
        }
        if (report.Rezeroed > 0)
        {
            logger.LogWarning("the disk's discard left data in {Count} zero blocks; they were zeroed", report.Rezeroed);
        }
        logger.LogInformation("wrote {Bytes} bytes ({Sent} sent, {Zeroed} zeroed{Mode}); every block read back matches the image (sha256 {Sha}){Trusted}{Whole}",
            report.Bytes, report.Sent, report.Zeroed, plan.Delta ? ", delta" : "", plan.Map.Sha256,
            report.Trusted > 0 ? $", {report.Trusted} unchanged blocks as hashed off the base disk" : "", report.Sha256 is null ? "" : ", and so does the whole disk's sha256");
    }

    /// <summary>
    /// The snapshot a delta upload starts from: <c>auto</c> (the newest available snapshot of the same image name and
    /// architecture with a block record, or none: a full upload), a snapshot id, or a label selector (its newest match).
    /// An explicit base of another architecture, or larger than the temporary server's disk, is refused before anything
    /// is created; <c>auto</c> passes over those.
    /// </summary>
    private async Task<Image?> ResolveBaseAsync(string wanted, Source source, UploadOptions options, CancellationToken ct)
    {
        if (source.Path is null || options.Format != ImageFormat.Raw)
        {
            throw new UploadException("input", "a delta upload (--base) needs a local raw or compressed raw image; URLs and qcow2 images are uploaded in full");
        }
        if (string.Equals(wanted, "auto", StringComparison.OrdinalIgnoreCase))
        {
            var candidates = await client.Images.ListAsync(new ImageListOptions
            {
                Type = [ImageType.Snapshot],
                Status = [ImageStatus.Available],
                Architecture = source.Architecture,
                LabelSelector = LabelSelector.Parse($"{BlockLabels.Image}={source.ImageName},{BlockLabels.Blocks}"),
                Sort = ["created:desc"],
            }, ct).ToListAsync(ct);
            var pick = candidates.FirstOrDefault(i => i.DiskSize <= source.TypeDiskGb);
            if (pick is null)
            {
                logger.LogWarning("no earlier snapshot of image {Name} ({Arch}) with a block record fits a {Type}: uploading in full", source.ImageName, source.Architecture, source.ServerType);
            }
            else
            {
                logger.LogInformation("delta base: snapshot {Id} ({Description})", pick.Id, pick.Description);
            }
            return pick;
        }
        Image? found;
        if (long.TryParse(wanted, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
        {
            found = await client.Images.GetAsync(id, ct) ?? throw new UploadException("input", $"base snapshot {id} not found");
            if (found.Type != ImageType.Snapshot || found.Status != ImageStatus.Available)
            {
                throw new UploadException("input", $"base image {id} is a {found.Type} that is {found.Status}; a base must be an available snapshot");
            }
        }
        else
        {
            LabelSelector selector;
            try
            {
                selector = LabelSelector.Parse(wanted);
            }
            catch (LabelSelectorException e)
            {
                throw new UploadException("input", $"--base '{wanted}' is neither auto, a snapshot id nor a label selector: {e.Message}");
            }
            found = await client.Images.ListPageAsync(new ImageListOptions
            {
                Type = [ImageType.Snapshot],
                Status = [ImageStatus.Available],
                Architecture = source.Architecture,
                LabelSelector = selector,
                Sort = ["created:desc"],
            }, 1, 1, ct) is { FirstOrDefault: { } newest } ? newest : throw new UploadException("input", $"no available {source.Architecture} snapshot matches the base selector '{wanted}'");
        }
        if (found.Architecture != source.Architecture)
        {
            throw new UploadException("input", $"base snapshot {found.Id} is {found.Architecture}, the image is {source.Architecture}");
        }
        if (found.DiskSize > source.TypeDiskGb)
        {
            throw new UploadException("input", $"base snapshot {found.Id} needs a {found.DiskSize} GB disk; a {source.ServerType} has {source.TypeDiskGb} GB (give a larger --server-type)");
        }
        return found;
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

        /// <summary>The block map of the raw image (a local raw file, or a compressed one decompressed here).</summary>
        public BlockMap? Map { get; init; }

        /// <summary>The raw file <see cref="Map"/> describes: the image itself, or its decompressed copy.</summary>
        public string? MapPath { get; init; }

        /// <summary>Where a decompressed copy lives, deleted when the upload ends.</summary>
        public string? TemporaryDirectory { get; init; }

        /// <summary>The image's name (label <c>drover/image</c>): what <c>--base auto</c> matches.</summary>
        public string ImageName { get; init; } = "image";

        /// <summary>The temporary server type's disk, in GB.</summary>
        public double TypeDiskGb { get; init; }

        public void DeleteTemporary()
        {
            if (TemporaryDirectory is { } directory && Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
