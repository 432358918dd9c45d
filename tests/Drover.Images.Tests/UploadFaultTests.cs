using System.Text.Json;
using Drover.Core.Ssh;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Labels;
using Drover.Images.Upload;
using Drover.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Shouldly;
using Xunit;

namespace Drover.Images.Tests;

/// <summary>
/// Uploads that fail at every point: no snapshot is created and no Drover resource is left, asserted through the API.
/// </summary>
[MachineTier]
public sealed class UploadFaultTests(MachineCloudFixture fixture) : IClassFixture<MachineCloudFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("GET", "/v1/images")]
    [InlineData("POST", "/v1/ssh_keys")]
    [InlineData("POST", "/v1/servers")]
    [InlineData("POST", "/v1/servers/*/actions/enable_rescue")]
    [InlineData("POST", "/v1/servers/*/actions/poweron")]
    [InlineData("POST", "/v1/servers/*/actions/shutdown")]
    [InlineData("POST", "/v1/servers/*/actions/create_image")]
    public async Task A_failing_api_call_leaves_nothing(string method, string path)
    {
        fixture.SkipUnlessMachines();
        var client = fixture.Client();
        var label = UploadTests.Label();
        await InjectAsync(new { method, path, count = 10, status = 500, code = "server_error", message = "injected" });

        try
        {
            // Without --force the upload first looks for an identical snapshot (GET /v1/images).
            var error = await Should.ThrowAsync<HcloudApiException>(() => Upload(client, label, force: method == "POST"));
            error.Code.ShouldBe(ErrorCode.ServerError);
        }
        finally
        {
            await fixture.Cloud.ControlAsync(HttpMethod.Delete, "faults");
        }
        (await fixture.LeftoversAsync(client, label)).ShouldBeNull();
    }

    [Theory]
    [InlineData("create_image")]
    [InlineData("start_server")]
    [InlineData("enable_rescue")]
    public async Task A_failing_action_leaves_nothing(string command)
    {
        fixture.SkipUnlessMachines();
        var client = fixture.Client();
        var label = UploadTests.Label();
        await fixture.Cloud.ControlAsync(HttpMethod.Post, "action-faults", JsonSerializer.Serialize(new { command, count = 1, code = "action_failed", message = "injected action failure" }));

        var thrown = await Should.ThrowAsync<Exception>(() => Upload(client, label));

        var error = thrown.ShouldBeOfType<ActionFailedException>(thrown.ToString());
        error.Action.Command.ShouldBe(command);
        (await fixture.LeftoversAsync(client, label)).ShouldBeNull();
    }

    [Fact]
    public async Task A_dropped_ssh_connection_mid_stream_leaves_nothing()
    {
        fixture.SkipUnlessMachines();
        var client = fixture.Client();
        var label = UploadTests.Label();
        var uploader = new ImageUploader(client, NullLogger<ImageUploader>.Instance, null,
            target => new TripwireShell(new OpenSshShell(target), 4 << 20, () => KillRescueSystemsAsync(client)));

        await Should.ThrowAsync<Exception>(() => uploader.UploadAsync(Options(fixture.Raw, label) with { WireCompression = false }, null, Ct));

        (await fixture.LeftoversAsync(client, label)).ShouldBeNull();
    }

    [Fact]
    public async Task An_ssh_cut_in_the_middle_of_a_delta_leaves_no_snapshot_and_nothing_else()
    {
        fixture.SkipUnlessMachines();
        var client = fixture.Client();
        var label = UploadTests.Label();
        var name = $"cut-{label}";
        var first = await UploadTests.Uploader(client).UploadAsync(Options(fixture.Raw, label) with { ImageName = name }, null, Ct);
        // v2: every data block of the image changes whole (12 MiB to send), and the connection drops after 4 MiB.
        var v2 = await fixture.VariantAsync($"cut-{label}.raw", "cp --sparse=always {raw} {out} && for mib in 0 4 12; do head -c 4M /dev/urandom | dd of={out} bs=1M seek=$mib conv=notrunc iflag=fullblock status=none; done");
        var uploader = new ImageUploader(client, Microsoft.Extensions.Logging.Abstractions.NullLogger<ImageUploader>.Instance, null,
            target => new TripwireShell(new OpenSshShell(target), 4 << 20, () => KillRescueSystemsAsync(client)));
        var steps = new List<string>();

        await Should.ThrowAsync<Exception>(() => uploader.UploadAsync(Options(v2, label) with { ImageName = name, Base = "auto", WireCompression = false }, new SyncProgress(p => steps.Add(p.Step)), Ct));

        steps.ShouldContain("hash base disk", "the upload was a delta");
        var snapshots = await client.Images.ListAsync(new ImageListOptions { Type = [ImageType.Snapshot], LabelSelector = LabelSelector.Parse($"test={label}") }, Ct).ToListAsync(Ct);
        snapshots.Select(i => i.Id).ShouldBe([first.Snapshot.Id], "no snapshot of the cut delta");
        await client.Images.DeleteAsync(first.Snapshot.Id, Ct);
        (await fixture.LeftoversAsync(client, label)).ShouldBeNull();
    }

    [Fact]
    public async Task Corrupt_compressed_input_fails_clearly_and_leaves_nothing()
    {
        fixture.SkipUnlessMachines();
        var client = fixture.Client();
        var label = UploadTests.Label();
        var gz = await fixture.VariantAsync("corrupt.raw.gz", "gzip -c {raw} > {out} && printf 'garbagegarbagegarbage' | dd of={out} bs=1 seek=200000 conv=notrunc status=none");

        var error = await Should.ThrowAsync<UploadException>(() => UploadTests.Uploader(client).UploadAsync(Options(gz, label), null, Ct));

        // A compressed raw image is decompressed here (into a sparse file, for its block map) before anything is created.
        error.Step.ShouldBe("decompress image");
        error.Message.ShouldContain("gzip");
        (await fixture.LeftoversAsync(client, label)).ShouldBeNull();
    }

    [Fact]
    public async Task A_wrong_sha256_for_a_file_is_refused_before_anything_is_created()
    {
        fixture.SkipUnlessMachines();
        var client = fixture.Client();
        var label = UploadTests.Label();
        var keysBefore = (await client.SshKeys.ListAsync(cancellationToken: Ct).ToListAsync(Ct)).Count;

        var error = await Should.ThrowAsync<UploadException>(() => UploadTests.Uploader(client).UploadAsync(Options(fixture.Raw, label) with { ExpectedSha256 = new string('0', 64) }, null, Ct));

        error.Message.ShouldContain("not the expected");
        (await client.SshKeys.ListAsync(cancellationToken: Ct).ToListAsync(Ct)).Count.ShouldBe(keysBefore);
        (await fixture.LeftoversAsync(client, label)).ShouldBeNull();
    }

    [Fact]
    public async Task A_wrong_sha256_for_a_url_is_caught_on_the_rescue_side_before_the_snapshot()
    {
        fixture.SkipUnlessMachines();
        var client = fixture.Client();
        var label = UploadTests.Label();
        var url = await fixture.ServeAsync(fixture.Raw);

        var error = await Should.ThrowAsync<UploadException>(() => UploadTests.Uploader(client).UploadAsync(new UploadOptions
        {
            AllowUnscanned = true,
            ImageUrl = url,
            Architecture = Architecture.X86,
            ExpectedSha256 = new string('1', 64),
            Labels = new Dictionary<string, string> { ["test"] = label },
        }, null, Ct));

        error.Message.ShouldContain("does not match the expected sha256");
        (await fixture.LeftoversAsync(client, label)).ShouldBeNull();
    }

    [Fact]
    public async Task Cancelling_while_writing_leaves_nothing()
    {
        fixture.SkipUnlessMachines();
        var client = fixture.Client();
        var label = UploadTests.Label();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var progress = new SyncProgress(p =>
        {
            if (p.Step == "write image")
            {
                cts.Cancel();
            }
        });

        await Should.ThrowAsync<OperationCanceledException>(() => UploadTests.Uploader(client).UploadAsync(Options(fixture.Raw, label), progress, cts.Token));

        (await fixture.LeftoversAsync(client, label)).ShouldBeNull();
    }

    private Task<UploadResult> Upload(HcloudClient client, string label, bool force = true)
        => UploadTests.Uploader(client).UploadAsync(Options(fixture.Raw, label) with { Force = force }, null, Ct);

    private static UploadOptions Options(string path, string label) => new()
    {
        ImagePath = path,
        Architecture = Architecture.X86,
        Force = true,
        Labels = new Dictionary<string, string> { ["test"] = label },
        SshTimeout = TimeSpan.FromSeconds(30),
        AllowUnscanned = true,
    };

    private Task InjectAsync(object fault) => fixture.Cloud.ControlAsync(HttpMethod.Post, "faults", JsonSerializer.Serialize(fault));

    /// <summary>Kills every process in the rescue namespaces of this cloud's upload servers: the SSH session drops.</summary>
    private async Task KillRescueSystemsAsync(HcloudClient client)
    {
        var servers = await client.Servers.ListAsync(new ServerListOptions { LabelSelector = LabelSelector.Parse(DroverLabels.CreatedBy) }).ToListAsync();
        foreach (var server in servers)
        {
            using var json = JsonDocument.Parse(await (await fixture.Cloud.ControlAsync(HttpMethod.Get, $"servers/{server.Id}")).Content.ReadAsStringAsync());
            if (json.RootElement.GetProperty("rescue").GetProperty("namespace").GetString() is { } ns)
            {
                var pids = await TestProcess.CheckAsync("ip", "netns", "pids", ns);
                foreach (var pid in pids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    await TestProcess.RunAsync("kill", ["-9", pid]);
                }
            }
        }
    }

    private sealed class SyncProgress(Action<UploadProgress> report) : IProgress<UploadProgress>
    {
        public void Report(UploadProgress value) => report(value);
    }

    /// <summary>Passes commands through, but fires <paramref name="trip"/> once after some bytes of stdin went out.</summary>
    private sealed class TripwireShell(IRemoteShell inner, long after, Func<Task> trip) : IRemoteShell
    {
        public Task<ShellResult> RunAsync(string script, Stream? stdin, IProgress<long>? sent, CancellationToken cancellationToken)
            => inner.RunAsync(script, stdin is null ? null : new TripwireStream(stdin, after, trip), sent, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    private sealed class TripwireStream(Stream inner, long after, Func<Task> trip) : Stream
    {
        private long _read;
        private bool _tripped;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_tripped && _read >= after)
            {
                _tripped = true;
                await trip();
            }
            var n = await inner.ReadAsync(buffer, cancellationToken);
            _read += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
