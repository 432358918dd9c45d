using System.Text.Json;
using Drover.Core.Ssh;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Labels;
using Drover.Images.Rescue;
using Drover.Images.Talos;
using Drover.Images.Upload;
using Drover.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Shouldly;
using Xunit;

namespace Drover.Images.Tests;

/// <summary>
/// <see cref="TalosUpload"/> in memory: the local cloud through the test host, a <see cref="FakeRemoteShell"/> for
/// both rescue systems (told apart by the factory URL in their write script), a manual clock.
/// </summary>
public sealed class TalosUploadTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _time = new() { AutoAdvanceLimit = TimeSpan.FromMinutes(5) };
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("drover-talos-upload-");
    private readonly List<string> _serverTypes = [];
    private TestLocalCloud _cloud = null!;
    private HcloudClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _cloud = await TestLocalCloud.StartInMemoryAsync(TestLocalCloud.DefaultOptions(_time));
        _client = _cloud.CreateClient(_time, wrap: inner => new ServerTypeRecorder(inner, _serverTypes));
    }

    public async ValueTask DisposeAsync()
    {
        await _cloud.DisposeAsync();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task Both_architectures_upload_side_by_side_each_on_a_temporary_server_of_its_own_type()
    {
        // Arrange: each write waits until the other has started, so a run that uploaded one after the other would stall.
        var built = Build("x86", "arm");
        using var writing = new CountdownEvent(2);
        var bothWriting = new TaskCompletionSource();
        var shells = Rescues(async script =>
        {
            if (writing.Signal())
            {
                bothWriting.SetResult();
            }
            await bothWriting.Task.WaitAsync(Ct);
            return Written(script.Contains("hcloud-arm64", StringComparison.Ordinal) ? 'a' : 'b');
        });
        var progress = built.ToDictionary(b => b.Image.Architecture, _ => new RecordingProgress<UploadProgress>());

        // Act
        var results = await TalosUpload.UploadAllAsync(Uploader(shells), built, new UploadOptions(), i => progress[i.Architecture], Ct);

        // Assert
        results.Select(r => r.Image.Architecture).ShouldBe(["x86", "arm"]);
        results.ShouldAllBe(r => r.Succeeded && r.Error == null);
        var x86 = results[0].Upload!.Snapshot;
        var arm = results[1].Upload!.Snapshot;
        x86.Architecture.ShouldBe(Architecture.X86);
        arm.Architecture.ShouldBe(Architecture.Arm);
        _serverTypes.Order().ShouldBe(["cax11", "cx23"]);
        x86.Labels["arch"].ShouldBe("x86");
        arm.Labels["arch"].ShouldBe("arm");
        foreach (var snapshot in new[] { x86, arm })
        {
            snapshot.Labels["os"].ShouldBe("talos");
            snapshot.Labels["version"].ShouldBe("v1.12.2");
            snapshot.Labels["creator"].ShouldBe("drover");
            snapshot.Labels["type"].ShouldBe("infra");
            snapshot.Labels[DroverLabels.CreatedBy].ShouldBe(ImageUploader.CreatedBy);
        }
        arm.Description.ShouldStartWith("Talos Linux v1.12.2 ARM");
        shells.All.Count.ShouldBe(2);
        shells.All.SelectMany(s => s.Commands).Select(c => c.Script).Where(s => s != RescueCommand.Probe).Count(s => s.Contains("/hcloud-amd64.raw.xz", StringComparison.Ordinal)).ShouldBe(1);
        shells.All.ShouldAllBe(s => s.Disposals == 1);
        progress["arm"].Reports.Select(r => r.Step).ShouldContain("write image");
        progress["x86"].Reports.Select(r => r.Step).ShouldContain("write image");
        await ShouldLeaveOnlyAsync(x86.Id, arm.Id);
    }

    [Fact]
    public async Task One_architecture_failing_leaves_nothing_of_its_own_and_the_other_completes()
    {
        // Arrange: the ARM write fails only once the x86 one is under way.
        var built = Build("x86", "arm");
        var x86Writing = new TaskCompletionSource();
        var shells = Rescues(async script =>
        {
            if (!script.Contains("hcloud-arm64", StringComparison.Ordinal))
            {
                x86Writing.SetResult();
                return Written('b');
            }
            await x86Writing.Task.WaitAsync(Ct);
            return new ShellResult(2, "", "drover: xz: File format not recognized\n");
        });

        // Act
        var results = await TalosUpload.UploadAllAsync(Uploader(shells), built, new UploadOptions(), null, Ct);

        // Assert
        results[0].Succeeded.ShouldBeTrue();
        results[1].Succeeded.ShouldBeFalse();
        results[1].Upload.ShouldBeNull();
        var error = results[1].Error.ShouldBeOfType<UploadException>();
        error.Step.ShouldBe("write");
        error.Message.ShouldContain("xz: File format not recognized");
        _serverTypes.Order().ShouldBe(["cax11", "cx23"]);
        await ShouldLeaveOnlyAsync(results[0].Upload!.Snapshot.Id);
    }

    [Fact]
    public async Task Cancelling_stops_both_uploads_and_leaves_nothing()
    {
        // Arrange
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        using var writing = new CountdownEvent(2);
        var shells = Rescues(async script =>
        {
            if (writing.Signal())
            {
                await cts.CancelAsync();
            }
            await Task.Delay(Timeout.InfiniteTimeSpan, cts.Token);
            return Written('c');
        });

        // Act
        await Should.ThrowAsync<OperationCanceledException>(() => TalosUpload.UploadAllAsync(Uploader(shells), Build("x86", "arm"), new UploadOptions(), null, cts.Token));

        // Assert
        await ShouldLeaveOnlyAsync();
    }

    private IReadOnlyList<(TalosImage Image, string ManifestPath)> Build(params string[] architectures)
        => [.. architectures.Select(a => TalosImage.For(TalosSchematic.Empty, "v1.12.2", a)).Select(i => (i, TalosBuild.Write(i, _directory.FullName, _time)))];

    /// <summary>An uploader whose every SSH session gets a new shell from <paramref name="shells"/>.</summary>
    private ImageUploader Uploader(RescueShells shells)
        => new(_client, NullLogger<ImageUploader>.Instance, _time, (SshTarget _) => shells.Next());

    private static RescueShells Rescues(Func<string, Task<ShellResult>> write) => new(write);

    /// <summary>Rescue systems with a disk and no zstd, one shell per session, each write script answered by the one function.</summary>
    private sealed class RescueShells(Func<string, Task<ShellResult>> write)
    {
        private readonly Lock _gate = new();
        private readonly List<FakeRemoteShell> _all = [];

        public IReadOnlyList<FakeRemoteShell> All
        {
            get
            {
                lock (_gate)
                {
                    return [.. _all];
                }
            }
        }

        public FakeRemoteShell Next()
        {
            var shell = new FakeRemoteShell()
                .On(s => s == RescueCommand.Probe, _ => new ShellResult(0, "plain\n", ""))
                .On(_ => true, (command, _) => write(command.Script));
            lock (_gate)
            {
                _all.Add(shell);
            }
            return shell;
        }
    }

    /// <summary>What the rescue script prints after downloading and writing an image whose sha256 is <paramref name="digit"/> 64 times.</summary>
    private static ShellResult Written(char digit)
    {
        var sha = new string(digit, 64);
        return new ShellResult(0, $"drover: disk bytes=42949672960 discarded=yes\ndrover: received sha256={sha}\ndrover: written bytes=1048576 sha256={sha} verified=stream\n", "");
    }

    /// <summary>No server, no SSH key, and exactly the snapshots <paramref name="keep"/>.</summary>
    private async Task ShouldLeaveOnlyAsync(params long[] keep)
    {
        (await _client.Servers.ListAsync(cancellationToken: Ct).ToListAsync(Ct)).ShouldBeEmpty();
        (await _client.SshKeys.ListAsync(cancellationToken: Ct).ToListAsync(Ct)).ShouldBeEmpty();
        var snapshots = await _client.Images.ListAsync(new ImageListOptions { Type = [ImageType.Snapshot] }, Ct).Select(i => i.Id).ToListAsync(Ct);
        snapshots.Order().ShouldBe(keep.Order());
    }

    /// <summary>Notes the <c>server_type</c> of every server created.</summary>
    private sealed class ServerTypeRecorder(HttpMessageHandler inner, List<string> types) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath == "/v1/servers" && request.Content is { } content)
            {
                using var body = JsonDocument.Parse(await content.ReadAsStringAsync(cancellationToken));
                lock (types)
                {
                    types.Add(body.RootElement.GetProperty("server_type").GetString()!);
                }
            }
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
