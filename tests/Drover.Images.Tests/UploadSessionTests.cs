using System.Security.Cryptography;
using System.Text.Json;
using Drover.Core.Ssh;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Labels;
using Drover.Images.Build;
using Drover.Images.Rescue;
using Drover.Images.Upload;
using Drover.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Shouldly;
using Xunit;

namespace Drover.Images.Tests;

/// <summary>
/// The whole upload and write orchestration, in memory: the local cloud through the test host (API-only), a
/// <see cref="FakeRemoteShell"/> standing in for the rescue system, and a manual clock, so no test needs root, a
/// namespace, ssh or the wall clock. The real path (sshd in a namespace, a real disk) is <see cref="UploadTests"/>
/// and <see cref="UploadFaultTests"/>, in the machine tier.
/// </summary>
public sealed class UploadSessionTests : IAsyncLifetime
{
    private static readonly string[] _uploadSteps =
    [
        "check input", "map image", "create temporary key", "create temporary server", "boot rescue system",
        "connect over SSH", "write image", "shut down", "create snapshot", "delete temporary resources",
    ];

    private readonly ManualTimeProvider _time = new() { AutoAdvanceLimit = TimeSpan.FromMinutes(5) };
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("drover-upload-session-");
    private TestLocalCloud _cloud = null!;
    private HcloudClient _client = null!;
    private string _image = null!;
    private byte[] _bytes = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _cloud = await TestLocalCloud.StartInMemoryAsync(TestLocalCloud.DefaultOptions(_time));
        _client = _cloud.CreateClient(_time);
        _bytes = RandomNumberGenerator.GetBytes(3 << 20);
        _image = Path.Combine(_directory.FullName, "image.raw");
        await File.WriteAllBytesAsync(_image, _bytes, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _cloud.DisposeAsync();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task An_upload_runs_every_step_in_order_writes_the_files_bytes_and_leaves_only_the_snapshot()
    {
        var shell = Rescue();
        SshTarget? target = null;
        var progress = new RecordingProgress<UploadProgress>();

        var result = await Uploader(t => { target = t; return shell; }).UploadAsync(Options(), progress, Ct);

        progress.Reports.Select(r => r.Step).Distinct().ShouldBe(_uploadSteps);
        result.Steps.Select(s => s.Step).ShouldBe(_uploadSteps);
        result.Skipped.ShouldBeFalse();
        result.Sha256.ShouldBe(Sha256(_bytes));
        result.Snapshot.Labels[DroverLabels.Digest].ShouldBe(result.Sha256![..63]);
        result.Snapshot.Labels[DroverLabels.CreatedBy].ShouldBe(ImageUploader.CreatedBy);
        result.Snapshot.Labels["os"].ShouldBe("debian");
        result.Snapshot.Description.ShouldBe($"image.raw sha256:{result.Sha256}");
        shell.Commands.Select(c => c.Script).ShouldBe([RescueCommand.Probe, shell.Commands[1].Script]);
        shell.Commands[1].Stdin.ShouldBe(_bytes);
        shell.Disposals.ShouldBe(1);
        target.ShouldNotBeNull().User.ShouldBe("root");
        File.Exists(target.IdentityFile).ShouldBeFalse("the temporary private key is deleted");
        await ShouldLeaveNothingAsync(keep: result.Snapshot.Id);
    }

    [Fact]
    public async Task The_temporary_server_and_key_carry_the_runs_labels_while_the_upload_runs()
    {
        IReadOnlyDictionary<string, string>? serverLabels = null;
        IReadOnlyDictionary<string, string>? keyLabels = null;
        var shell = Rescue(onWrite: async () =>
        {
            serverLabels = (await _client.Servers.ListAsync(cancellationToken: Ct).SingleAsync(Ct)).Labels;
            keyLabels = (await _client.SshKeys.ListAsync(cancellationToken: Ct).SingleAsync(Ct)).Labels;
        });

        var result = await Uploader(_ => shell).UploadAsync(Options(), null, Ct);

        serverLabels.ShouldNotBeNull()[DroverLabels.CreatedBy].ShouldBe(ImageUploader.CreatedBy);
        serverLabels[DroverLabels.Run].ShouldBe(result.RunId);
        keyLabels.ShouldNotBeNull()[DroverLabels.Run].ShouldBe(result.RunId);
        await ShouldLeaveNothingAsync(keep: result.Snapshot.Id);
    }

    [Fact]
    public async Task A_second_upload_of_the_same_image_reuses_the_snapshot_without_creating_anything()
    {
        var first = await Uploader(_ => Rescue()).UploadAsync(Options(), null, Ct);
        var shell = Rescue();

        var second = await Uploader(_ => shell).UploadAsync(Options(), null, Ct);

        second.Skipped.ShouldBeTrue();
        second.Snapshot.Id.ShouldBe(first.Snapshot.Id);
        shell.Commands.ShouldBeEmpty();
        await ShouldLeaveNothingAsync(keep: first.Snapshot.Id);
    }

    [Fact]
    public async Task The_rescue_system_is_probed_once_a_second_until_it_answers()
    {
        var probes = 0;
        var shell = new FakeRemoteShell()
            .On(s => s == RescueCommand.Probe, _ => ++probes < 4 ? throw new RemoteShellException("ssh: connect to host 198.18.0.2 port 22: Connection refused") : new ShellResult(0, "plain\n", ""))
            .On(s => s != RescueCommand.Probe, WriteAnswer);

        var result = await Uploader(_ => shell).UploadAsync(Options(), null, Ct);

        probes.ShouldBe(4);
        _time.Delays.Count(d => d == TimeSpan.FromSeconds(1)).ShouldBeGreaterThanOrEqualTo(3);
        await ShouldLeaveNothingAsync(keep: result.Snapshot.Id);
    }

    [Fact]
    public async Task A_rescue_system_that_never_answers_fails_after_the_ssh_timeout_and_leaves_nothing()
    {
        var shell = new FakeRemoteShell().On(_ => true, _ => throw new RemoteShellException("ssh: connect to host 198.18.0.2 port 22: Connection refused"));
        var started = _time.GetUtcNow();

        var error = await Should.ThrowAsync<RemoteShellException>(() => Uploader(_ => shell).UploadAsync(Options() with { SshTimeout = TimeSpan.FromMinutes(2) }, null, Ct));

        error.Message.ShouldContain("was not reachable over SSH within 120 s: ssh: connect to host 198.18.0.2 port 22: Connection refused");
        (_time.GetUtcNow() - started).ShouldBeGreaterThan(TimeSpan.FromMinutes(2));
        shell.Disposals.ShouldBe(1);
        await ShouldLeaveNothingAsync();
    }

    [Fact]
    public async Task A_rescue_system_without_a_disk_is_named_as_the_reason()
    {
        var shell = new FakeRemoteShell().On(_ => true, _ => new ShellResult(1, "", "no /dev/sda"));

        var error = await Should.ThrowAsync<RemoteShellException>(() => Uploader(_ => shell).UploadAsync(Options() with { SshTimeout = TimeSpan.FromSeconds(30) }, null, Ct));

        error.Message.ShouldContain("/dev/sda is missing on the rescue system (no /dev/sda)");
        await ShouldLeaveNothingAsync();
    }

    [Theory]
    [InlineData(RescueCommand.ExitDigestMismatch, "the image does not match the expected sha256")]
    [InlineData(RescueCommand.ExitNoDevice, "the rescue system has no disk")]
    [InlineData(RescueCommand.ExitVerifyFailed, "the disk does not hold what was written")]
    [InlineData(2, "writing the image failed (exit 2; corrupt or truncated input?)")]
    public async Task A_failing_write_script_is_explained_by_its_exit_code_and_leaves_nothing(int exitCode, string explanation)
    {
        var shell = Rescue(write: _ => new ShellResult(exitCode, "", "drover: the cause\n1+0 records in\n1+0 records out\n"));

        var error = await Should.ThrowAsync<UploadException>(() => Uploader(_ => shell).UploadAsync(Options(), null, Ct));

        error.Step.ShouldBe("write");
        error.Message.ShouldBe($"write: {explanation}: drover: the cause");
        await ShouldLeaveNothingAsync();
    }

    [Fact]
    public async Task Bytes_that_arrive_changed_are_caught_before_the_snapshot()
    {
        var shell = Rescue(write: _ => new ShellResult(0, $"drover: received sha256={new string('a', 64)}\n", ""));

        var error = await Should.ThrowAsync<UploadException>(() => Uploader(_ => shell).UploadAsync(Options(), null, Ct));

        error.Message.ShouldContain("the transfer was corrupted");
        await ShouldLeaveNothingAsync();
    }

    [Fact]
    public async Task An_image_that_shrinks_while_its_blocks_are_sent_fails_the_write_naming_it_and_leaves_nothing()
    {
        var shell = new FakeRemoteShell()
            .On(s => s == RescueCommand.Probe, _ => new ShellResult(0, "plain\npython3\n", ""))
            .On(_ => true, _ => throw new InvalidOperationException("the rescue side must not answer: its input failed"));
        var truncated = false;
        var progress = new SyncProgress(p =>
        {
            if (p.Step == "write image" && p.Bytes > 0 && !truncated)
            {
                truncated = true;
                using var file = new FileStream(_image, FileMode.Open, FileAccess.Write);
                file.SetLength(1 << 20);
            }
        });

        var error = await Should.ThrowAsync<UploadException>(() => Uploader(_ => shell).UploadAsync(Options(), progress, Ct));

        truncated.ShouldBeTrue();
        error.Step.ShouldBe("write");
        error.Message.ShouldContain("reading the image failed: the image file ended at");
        await ShouldLeaveNothingAsync();
    }

    private sealed class SyncProgress(Action<UploadProgress> report) : IProgress<UploadProgress>
    {
        public void Report(UploadProgress value) => report(value);
    }

    [Fact]
    public async Task Cancelling_while_writing_deletes_the_server_and_the_key()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var shell = new FakeRemoteShell()
            .On(s => s == RescueCommand.Probe, _ => new ShellResult(0, "plain\n", ""))
            .On(_ => true, async (_, ct) =>
            {
                await cts.CancelAsync();
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                return new ShellResult(0, "", "");
            });

        await Should.ThrowAsync<OperationCanceledException>(() => Uploader(_ => shell).UploadAsync(Options(), null, cts.Token));

        shell.Disposals.ShouldBe(1);
        await ShouldLeaveNothingAsync();
    }

    [Fact]
    public async Task An_expired_deadline_names_the_step_and_leaves_nothing()
    {
        var shell = new FakeRemoteShell()
            .On(s => s == RescueCommand.Probe, _ => new ShellResult(0, "plain\n", ""))
            .On(_ => true, async (_, ct) =>
            {
                _time.Advance(TimeSpan.FromMinutes(31));
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                return new ShellResult(0, "", "");
            });

        var error = await Should.ThrowAsync<UploadException>(() => Uploader(_ => shell).UploadAsync(Options() with { Deadline = TimeSpan.FromMinutes(30) }, null, Ct));

        error.Step.ShouldBe("write image");
        error.Message.ShouldContain("the deadline of 00:30:00 expired; everything created was deleted");
        await ShouldLeaveNothingAsync();
    }

    [Theory]
    [InlineData("POST", "/v1/ssh_keys")]
    [InlineData("POST", "/v1/servers")]
    [InlineData("POST", "/v1/servers/*/actions/enable_rescue")]
    [InlineData("POST", "/v1/servers/*/actions/poweron")]
    [InlineData("POST", "/v1/servers/*/actions/shutdown")]
    [InlineData("POST", "/v1/servers/*/actions/create_image")]
    [InlineData("GET", "/v1/images")]
    public async Task A_failing_api_call_leaves_nothing(string method, string path)
    {
        await _cloud.ControlAsync(HttpMethod.Post, "faults", JsonSerializer.Serialize(new { method, path, count = 10, status = 500, code = "server_error", message = "injected" }));

        // Without Force the upload first looks for an identical snapshot (GET /v1/images).
        var error = await Should.ThrowAsync<HcloudApiException>(() => Uploader(_ => Rescue()).UploadAsync(Options() with { Force = method == "POST" }, null, Ct));

        error.Code.ShouldBe(ErrorCode.ServerError);
        await _cloud.ControlAsync(HttpMethod.Delete, "faults");
        await ShouldLeaveNothingAsync();
    }

    [Theory]
    [InlineData("create_server")]
    [InlineData("enable_rescue")]
    [InlineData("start_server")]
    [InlineData("shutdown_server")]
    [InlineData("create_image")]
    public async Task A_failing_action_leaves_nothing(string command)
    {
        await _cloud.ControlAsync(HttpMethod.Post, "action-faults", JsonSerializer.Serialize(new { command, count = 1, code = "action_failed", message = "injected action failure" }));

        var error = await Should.ThrowAsync<ActionFailedException>(() => Uploader(_ => Rescue()).UploadAsync(Options(), null, Ct));

        error.Action.Command.ShouldBe(command);
        await ShouldLeaveNothingAsync();
    }

    [Fact]
    public async Task Writing_to_a_server_boots_it_from_its_disk_and_deletes_only_the_temporary_key()
    {
        var created = await _client.Servers.CreateAsync(new CreateServerRequest
        {
            Name = "web1",
            ServerType = "cx23",
            Image = "ubuntu-24.04",
            Location = "fsn1",
            Labels = new Dictionary<string, string> { ["role"] = "web" },
        }, Ct);
        await _client.Actions.WaitAsync([created.Action, .. created.NextActions], null, Ct);
        var shell = Rescue();
        var requests = new List<string>();
        var recorded = _cloud.CreateClient(_time, wrap: inner => new Recorder(inner, requests));

        var steps = await new ImageUploader(recorded, NullLogger<ImageUploader>.Instance, _time, _ => shell).WriteToServerAsync(created.Server.Id, Options(), null, Ct);

        steps.Select(s => s.Step).ShouldBe(["check input", "map image", "create temporary key", "boot rescue system", "connect over SSH", "write image", "boot from disk", "delete temporary key"]);
        shell.Commands[1].Stdin.ShouldBe(_bytes);
        var server = (await _client.Servers.GetAsync(created.Server.Id, Ct)).ShouldNotBeNull();
        server.Labels.ShouldBe(new Dictionary<string, string> { ["role"] = "web" });
        server.Status.ShouldBe(ServerStatus.Running);
        requests.Where(r => r.StartsWith("POST", StringComparison.Ordinal)).ShouldBe([
            "POST /v1/ssh_keys",
            $"POST /v1/servers/{server.Id}/actions/enable_rescue",
            $"POST /v1/servers/{server.Id}/actions/reset",
            $"POST /v1/servers/{server.Id}/actions/reset",
        ]);
        requests.ShouldContain(r => r.StartsWith("DELETE /v1/ssh_keys/", StringComparison.Ordinal));
        (await _client.SshKeys.ListAsync(cancellationToken: Ct).ToListAsync(Ct)).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("x86", "arm")]
    [InlineData("arm", "x86")]
    public async Task An_architecture_other_than_the_manifests_fails_before_anything_is_created(string given, string inManifest)
    {
        // Arrange
        var manifest = WriteManifest(inManifest);
        var shell = Rescue();

        // Act
        var error = await Should.ThrowAsync<UploadException>(() => Uploader(_ => shell).UploadAsync(Options() with { Architecture = Architecture.From(given), ManifestPath = manifest }, null, Ct));

        // Assert
        error.Step.ShouldBe("input");
        error.Message.ShouldBe($"input: the architecture is {given}, but the image's manifest {manifest} says {inManifest}");
        shell.Commands.ShouldBeEmpty();
        await ShouldLeaveNothingAsync();
    }

    [Theory]
    [InlineData("cax11", "x86", "arm")]
    [InlineData("cx23", "arm", "x86")]
    public async Task A_server_type_of_another_architecture_than_the_manifests_fails_before_anything_is_created(string serverType, string inManifest, string typeArchitecture)
    {
        // Arrange: no architecture given, so the manifest's is the one.
        var manifest = WriteManifest(inManifest);
        var shell = Rescue();

        // Act
        var error = await Should.ThrowAsync<UploadException>(() => Uploader(_ => shell).UploadAsync(Options() with { Architecture = null, ServerType = serverType, ManifestPath = manifest }, null, Ct));

        // Assert
        error.Step.ShouldBe("input");
        error.Message.ShouldBe($"input: server type {serverType} is {typeArchitecture}, not {inManifest} (the architecture of the image's manifest {manifest})");
        shell.Commands.ShouldBeEmpty();
        await ShouldLeaveNothingAsync();
    }

    [Fact]
    public async Task The_manifests_architecture_picks_the_temporary_servers_type_when_none_is_given()
    {
        // Arrange
        var manifest = WriteManifest("arm");

        // Act
        var result = await Uploader(_ => Rescue()).UploadAsync(Options() with { Architecture = null, ManifestPath = manifest }, null, Ct);

        // Assert
        result.Snapshot.Architecture.ShouldBe(Architecture.Arm);
        result.Snapshot.Labels["os"].ShouldBe("debian");
        await ShouldLeaveNothingAsync(keep: result.Snapshot.Id);
    }

    [Fact]
    public async Task Writing_an_image_of_another_architecture_onto_a_server_fails_before_anything_is_created()
    {
        // Arrange
        var created = await _client.Servers.CreateAsync(new CreateServerRequest { Name = "web1", ServerType = "cx23", Image = "ubuntu-24.04", Location = "fsn1" }, Ct);
        await _client.Actions.WaitAsync([created.Action, .. created.NextActions], null, Ct);
        var manifest = WriteManifest("arm");
        var shell = Rescue();

        // Act
        var error = await Should.ThrowAsync<UploadException>(() => Uploader(_ => shell).WriteToServerAsync(created.Server.Id, Options() with { Architecture = null, ManifestPath = manifest }, null, Ct));

        // Assert
        error.Message.ShouldBe($"input: server type cx23 is x86, not arm (the architecture of the image's manifest {manifest})");
        shell.Commands.ShouldBeEmpty();
        (await _client.SshKeys.ListAsync(cancellationToken: Ct).ToListAsync(Ct)).ShouldBeEmpty();
        (await _client.Servers.GetAsync(created.Server.Id, Ct)).ShouldNotBeNull().RescueEnabled.ShouldBeFalse();
    }

    [Fact]
    public async Task A_session_refuses_its_steps_out_of_order()
    {
        await using var session = new RescueSession(_client, NullLogger.Instance, "run1", new Dictionary<string, string>(), _time, _ => Rescue());

        (await Should.ThrowAsync<InvalidOperationException>(() => session.BootAsync(Ct))).Message.ShouldBe("the session has no server yet");
        (await Should.ThrowAsync<InvalidOperationException>(() => session.WriteAsync(new WriteOptions { Compression = ImageCompression.None }, null, null, Ct))).Message.ShouldBe("the session is not connected");
        (await Should.ThrowAsync<InvalidOperationException>(() => session.CreateServerAsync(new CreateServerRequest { Name = "x", ServerType = "cx23", Image = "ubuntu-24.04" }, Ct))).Message.ShouldBe("the session has no key yet");
    }

    private ImageUploader Uploader(Func<SshTarget, IRemoteShell> shells)
        => new(_client, NullLogger<ImageUploader>.Instance, _time, shells);

    private UploadOptions Options() => new()
    {
        ImagePath = _image,
        AllowUnscanned = true,
        Architecture = Architecture.X86,
        WireCompression = false,
        Labels = new Dictionary<string, string> { ["os"] = "debian" },
    };

    /// <summary>A clean manifest of the test image that says <paramref name="architecture"/>.</summary>
    private string WriteManifest(string architecture)
    {
        var path = Path.Combine(_directory.FullName, $"image-{architecture}.manifest.json");
        new ImageManifest
        {
            Builder = "debian",
            Architecture = architecture,
            Path = _image,
            Sha256 = Sha256(_bytes),
            Size = _bytes.Length,
            Labels = new Dictionary<string, string>(),
            Description = "test image",
            Created = _time.GetUtcNow(),
            Scan = new ImageScan(true, []),
        }.Write(path);
        return path;
    }

    /// <summary>A rescue system that has a disk and no zstd, and writes what it is sent (or answers <paramref name="write"/>).</summary>
    private static FakeRemoteShell Rescue(Func<FakeShellCommand, ShellResult>? write = null, Func<Task>? onWrite = null)
        => new FakeRemoteShell()
            .On(s => s == RescueCommand.Probe, _ => new ShellResult(0, "plain\n", ""))
            .On(_ => true, async (command, _) =>
            {
                if (onWrite is not null)
                {
                    await onWrite();
                }
                return (write ?? WriteAnswer)(command);
            });

    /// <summary>What the rescue script prints when it wrote its input.</summary>
    private static ShellResult WriteAnswer(FakeShellCommand command)
    {
        var sha = Sha256(command.Stdin ?? []);
        return new ShellResult(0, $"drover: disk bytes=42949672960 discarded=yes\ndrover: received sha256={sha}\ndrover: written bytes={command.Stdin?.Length} sha256={sha} verified=stream\n", "");
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>No server, no SSH key, and no snapshot but <paramref name="keep"/>.</summary>
    private async Task ShouldLeaveNothingAsync(long? keep = null)
    {
        (await _client.Servers.ListAsync(cancellationToken: Ct).ToListAsync(Ct)).ShouldBeEmpty();
        (await _client.SshKeys.ListAsync(cancellationToken: Ct).ToListAsync(Ct)).ShouldBeEmpty();
        var snapshots = await _client.Images.ListAsync(new ImageListOptions { Type = [ImageType.Snapshot] }, Ct).Select(i => i.Id).ToListAsync(Ct);
        snapshots.ShouldBe(keep is { } id ? [id] : []);
    }

    /// <summary>Notes each request as <c>METHOD /path</c> on its way to the cloud.</summary>
    private sealed class Recorder(HttpMessageHandler inner, List<string> requests) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (requests)
            {
                requests.Add($"{request.Method} {request.RequestUri!.AbsolutePath}");
            }
            return base.SendAsync(request, cancellationToken);
        }
    }
}
