using Drover.Images.Build;
using Drover.Images.Scan;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Images.Tests;

/// <summary>
/// One real debian build (mmdebstrap from the machine's apt mirror, or the cached root file system in
/// <c>~/.cache/drover/rootfs</c>), shared by the tests below. Needs root, mmdebstrap, GRUB (grub-pc-bin), e2fsprogs,
/// fdisk and zstd; skipped with the reason otherwise.
/// </summary>
public sealed class DebianBuildFixture : IAsyncLifetime
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("drover-debian-build-");

    public string? SkipReason { get; private set; }
    public BuildResult? Result { get; private set; }
    public Exception? Failure { get; private set; }
    public string Agent { get; private set; } = "";
    public string WorkDirectory => _dir.FullName;

    public async ValueTask InitializeAsync()
    {
        SkipReason = Prerequisites();
        if (SkipReason is not null)
        {
            return;
        }
        Agent = FindAgent() ?? StandIn();
        try
        {
            Result = await new DebianBuilder().BuildAsync(Options("clean"));
        }
        catch (Exception e)
        {
            Failure = e;
        }
    }

    public DebianBuildOptions Options(string name) => new()
    {
        Name = name,
        AgentPath = Agent,
        OutputDirectory = Path.Combine(_dir.FullName, name),
        Labels = new Dictionary<string, string> { ["role"] = "web" },
    };

    public ValueTask DisposeAsync()
    {
        _dir.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }

    private static string? Prerequisites()
    {
        if (!DebianBuilder.IsRoot())
        {
            return "the debian builder needs root (mmdebstrap)";
        }
        foreach (var tool in new[] { "/usr/bin/mmdebstrap", "/usr/bin/grub-mkimage", "/usr/lib/grub/i386-pc/boot.img", "/usr/sbin/mkfs.ext4", "/usr/sbin/sfdisk", "/usr/bin/zstd", "/usr/sbin/debugfs" })
        {
            if (!File.Exists(tool))
            {
                return $"needs {tool} (apt-get install mmdebstrap grub-pc-bin grub-common e2fsprogs fdisk zstd)";
            }
        }
        return null;
    }

    /// <summary>The published agent, when the repository has one (artifacts/agent/linux-x64/drover-agent).</summary>
    private static string? FindAgent()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Drover.slnx")))
            {
                var agent = Path.Combine(dir.FullName, "artifacts", "agent", "linux-x64", "drover-agent");
                return File.Exists(agent) ? agent : null;
            }
        }
        return null;
    }

    /// <summary>A shell stand-in for the agent: the builder installs whatever file it is given.</summary>
    private string StandIn()
    {
        var path = Path.Combine(_dir.FullName, "drover-agent");
        File.WriteAllText(path, "#!/bin/sh\necho 'drover-agent stand-in'\nmkdir -p /var/lib/drover && touch /var/lib/drover/agent.done\n");
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        return path;
    }
}

[MachineTier]
public sealed class BuildDebianTests(DebianBuildFixture fixture) : IClassFixture<DebianBuildFixture>
{
    private BuildResult Built()
    {
        if (fixture.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }
        fixture.Failure.ShouldBeNull(fixture.Failure?.ToString());
        return fixture.Result!;
    }

    [Fact]
    public async Task A_debian_build_writes_a_bootable_mbr_disk_and_its_manifest()
    {
        var ct = TestContext.Current.CancellationToken;
        var result = Built();

        var m = ImageManifest.Read(result.ManifestPath);
        var image = Path.Combine(fixture.WorkDirectory, "clean", "clean.raw");
        m.Path.ShouldBe(image);
        m.Builder.ShouldBe("debian");
        m.Architecture.ShouldBe("x86");
        m.Labels.ShouldBe(new Dictionary<string, string> { ["os"] = "debian", ["version"] = "12", ["arch"] = "x86", ["role"] = "web" }, ignoreOrder: true);
        m.Scan.ShouldBe(new ImageScan(true, m.Scan.Findings));
        m.Scan.Findings.ShouldBeEmpty();
        m.Size.ShouldBe(new FileInfo(image).Length);
        m.Sha256.ShouldBe(await Upload.ImageDigest.OfFileAsync(image, null, ct));

        var table = await TestProcess.CheckAsync("/usr/sbin/sfdisk", "-J", image);
        table.ShouldContain("\"label\": \"dos\"");
        table.ShouldContain("\"start\": 2048");
        table.ShouldContain("\"type\": \"83\"");
        table.ShouldContain("\"bootable\": true");
        var mbr = new byte[512];
        await using (var f = File.OpenRead(image))
        {
            await f.ReadExactlyAsync(mbr, ct);
        }
        var bootImg = await File.ReadAllBytesAsync("/usr/lib/grub/i386-pc/boot.img", ct);
        mbr.AsSpan(0, 440).SequenceEqual(bootImg.AsSpan(0, 440)).ShouldBeTrue("GRUB boot.img is not in the MBR");
        mbr[510].ShouldBe((byte)0x55);
        mbr[511].ShouldBe((byte)0xaa);
    }

    [Fact]
    public async Task The_built_disk_scans_clean_and_holds_what_the_customisation_wrote()
    {
        var ct = TestContext.Current.CancellationToken;
        Built();
        var image = Path.Combine(fixture.WorkDirectory, "clean", "clean.raw");

        var scan = await RawImageScanner.ScanRawImageAsync(image, ct);

        scan.ShouldBe(new ImageScan(true, scan.Findings));
        scan.Findings.ShouldBeEmpty();
        var offset = $"{image}?offset={1 << 20}";
        (await TestProcess.CheckAsync("/usr/sbin/debugfs", "-R", "cat /etc/fstab", offset)).ShouldContain("LABEL=root");
        (await TestProcess.CheckAsync("/usr/sbin/debugfs", "-R", "cat /boot/grub/grub.cfg", offset)).ShouldContain("console=ttyS0,115200 net.ifnames=0");
        (await TestProcess.CheckAsync("/usr/sbin/debugfs", "-R", "ls -l /etc/ssh", offset)).ShouldNotContain("ssh_host_");
        (await TestProcess.CheckAsync("/usr/sbin/debugfs", "-R", "stat /usr/local/bin/drover-agent", offset)).ShouldContain("Mode:  0755");
        (await TestProcess.CheckAsync("/usr/sbin/debugfs", "-R", "ls /etc/systemd/system/multi-user.target.wants", offset))
            .ShouldSatisfyAllConditions(s => s.ShouldContain("drover-agent.service"), s => s.ShouldContain("drover-ssh-hostkeys.service"));
    }

    [Fact]
    public async Task A_build_with_a_planted_private_key_is_refused_naming_the_file_and_writes_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        Built();
        var keyDir = Directory.CreateTempSubdirectory("drover-planted-key-");
        try
        {
            var key = Path.Combine(keyDir.FullName, "id_rsa");
            await TestProcess.CheckAsync("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", key);
            var options = fixture.Options("planted") with { ExtraFiles = [new ExtraFile(key, "/etc/foo/id_rsa")] };

            var e = await Should.ThrowAsync<SecretsFoundException>(() => new DebianBuilder().BuildAsync(options, cancellationToken: ct));

            var finding = e.Findings.ShouldHaveSingleItem();
            finding.Path.ShouldBe("/etc/foo/id_rsa");
            finding.Kind.ShouldBe("private-key");
            e.Message.ShouldContain("/etc/foo/id_rsa");
            (Directory.Exists(options.OutputDirectory) ? Directory.GetFiles(options.OutputDirectory) : []).ShouldBeEmpty();
        }
        finally
        {
            keyDir.Delete(recursive: true);
        }
    }
}
